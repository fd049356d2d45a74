// drizzle-kit settings of the projection file (projection-schema.ts): `npm run db:generate`
// writes a new migration of either file after a schema change.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/projection-schema.ts",
  out: "./src/store/projection-migrations",
});
