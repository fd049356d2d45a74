ALTER TABLE `snapshots` ADD `last_trade_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `stats` text;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `layout` text;