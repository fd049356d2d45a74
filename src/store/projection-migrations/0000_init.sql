CREATE TABLE `balances` (
	`account_id` integer NOT NULL,
	`asset` text NOT NULL,
	`free` text NOT NULL,
	`locked` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `asset`)
);
--> statement-breakpoint
CREATE TABLE `ledger` (
	`id` integer PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`asset` text NOT NULL,
	`kind` text NOT NULL,
	`amount` text NOT NULL,
	`time` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_account_idx` ON `ledger` (`account_id`,`id`);--> statement-breakpoint
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
	`updated_at` integer NOT NULL,
	`self_trade_prevention` text DEFAULT 'none' NOT NULL,
	`quote_quantity` text,
	`prevented_quantity` integer DEFAULT 0 NOT NULL,
	`decremented_quantity` integer DEFAULT 0 NOT NULL,
	`expire_reason` text,
	`stop_price` integer,
	`trailing_delta` integer,
	`iceberg_quantity` integer,
	`list_id` integer,
	`list_type` text,
	`triggered` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_account_idx` ON `orders` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `orders_open_idx` ON `orders` (`id`) WHERE "orders"."status" IN ('new', 'partially_filled');--> statement-breakpoint
CREATE TABLE `projection` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `trades` (
	`id` integer PRIMARY KEY NOT NULL,
	`symbol` text NOT NULL,
	`price` integer NOT NULL,
	`quantity` integer NOT NULL,
	`taker_order_id` integer NOT NULL,
	`maker_order_id` integer NOT NULL,
	`taker_side` text NOT NULL,
	`time` integer NOT NULL,
	`taker_fee` text DEFAULT '0' NOT NULL,
	`maker_fee` text DEFAULT '0' NOT NULL,
	`taker_account_id` integer DEFAULT 0 NOT NULL,
	`maker_account_id` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `trades_symbol_time_idx` ON `trades` (`symbol`,`time`);--> statement-breakpoint
CREATE INDEX `trades_taker_idx` ON `trades` (`taker_order_id`);--> statement-breakpoint
CREATE INDEX `trades_maker_idx` ON `trades` (`maker_order_id`);--> statement-breakpoint
CREATE INDEX `trades_taker_account_idx` ON `trades` (`taker_account_id`,`id`);--> statement-breakpoint
CREATE INDEX `trades_maker_account_idx` ON `trades` (`maker_account_id`,`id`);--> statement-breakpoint
INSERT INTO `projection` (`id`, `seq`) VALUES (1, 0);