CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_api_key_hash_unique` ON `accounts` (`api_key_hash`);--> statement-breakpoint
CREATE TABLE `journal` (
	`seq` integer PRIMARY KEY NOT NULL,
	`kind` integer NOT NULL,
	`order_id` integer NOT NULL,
	`symbol` text NOT NULL,
	`side` integer NOT NULL,
	`time_in_force` integer NOT NULL,
	`flags` integer NOT NULL,
	`price` integer NOT NULL,
	`quantity` integer NOT NULL,
	`time` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`symbol` text NOT NULL,
	`side` text NOT NULL,
	`type` text NOT NULL,
	`time_in_force` text NOT NULL,
	`post_only` integer NOT NULL,
	`price` integer,
	`quantity` integer NOT NULL,
	`filled_quantity` integer NOT NULL,
	`status` text NOT NULL,
	`reject_reason` text,
	`client_order_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_account_idx` ON `orders` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `orders_status_idx` ON `orders` (`status`);--> statement-breakpoint
CREATE TABLE `trades` (
	`id` integer PRIMARY KEY NOT NULL,
	`symbol` text NOT NULL,
	`price` integer NOT NULL,
	`quantity` integer NOT NULL,
	`taker_order_id` integer NOT NULL,
	`maker_order_id` integer NOT NULL,
	`taker_side` text NOT NULL,
	`time` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `trades_symbol_idx` ON `trades` (`symbol`,`id`);--> statement-breakpoint
CREATE INDEX `trades_taker_idx` ON `trades` (`taker_order_id`);--> statement-breakpoint
CREATE INDEX `trades_maker_idx` ON `trades` (`maker_order_id`);