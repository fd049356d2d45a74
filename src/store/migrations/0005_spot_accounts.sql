CREATE TABLE `account_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`kind` text NOT NULL,
	`asset` text,
	`amount` text,
	`maker_fee_bps` integer,
	`taker_fee_bps` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
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
ALTER TABLE `journal` ADD `stp` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `amount` text;--> statement-breakpoint
ALTER TABLE `journal` ADD `asset` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `self_trade_prevention` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `quote_quantity` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `prevented_quantity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `decremented_quantity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `expire_reason` text;--> statement-breakpoint
ALTER TABLE `trades` ADD `taker_fee` text DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE `trades` ADD `maker_fee` text DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE `trades` ADD `taker_account_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `trades` ADD `maker_account_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `trades_taker_account_idx` ON `trades` (`taker_account_id`,`id`);--> statement-breakpoint
CREATE INDEX `trades_maker_account_idx` ON `trades` (`maker_account_id`,`id`);