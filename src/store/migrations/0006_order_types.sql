ALTER TABLE `journal` ADD `stop_price` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `trailing_bps` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `trigger` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `visible` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `other_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `link` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `mode` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `stop_price` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `trailing_delta` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `iceberg_quantity` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `list_id` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `list_type` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `triggered` integer DEFAULT false NOT NULL;