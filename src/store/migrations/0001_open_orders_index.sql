DROP INDEX `orders_status_idx`;--> statement-breakpoint
CREATE INDEX `orders_open_idx` ON `orders` (`id`) WHERE "orders"."status" IN ('new', 'partially_filled');