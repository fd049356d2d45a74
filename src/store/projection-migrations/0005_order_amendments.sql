CREATE TABLE `order_amendments` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`symbol` text NOT NULL,
	`orig_client_order_id` text,
	`new_client_order_id` text,
	`orig_quantity` integer NOT NULL,
	`new_quantity` integer NOT NULL,
	`time` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_amendments_order_idx` ON `order_amendments` (`order_id`);