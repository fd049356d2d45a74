// Files imported as assets: `with { type: "file" }` gives a path, `with { type: "text" }` the text.
declare module "*.so" {
  const path: string;
  export default path;
}
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*/standalone.js" {
  const path: string;
  export default path;
}
