CREATE TABLE `prevented_matches` (
	`id` integer PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`symbol` text NOT NULL,
	`taker_order_id` integer NOT NULL,
	`maker_order_id` integer NOT NULL,
	`mode` text NOT NULL,
	`price` integer NOT NULL,
	`quantity` integer NOT NULL,
	`taker_quantity` integer NOT NULL,
	`maker_quantity` integer NOT NULL,
	`time` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `prevented_matches_taker_idx` ON `prevented_matches` (`taker_order_id`);--> statement-breakpoint
CREATE INDEX `prevented_matches_maker_idx` ON `prevented_matches` (`maker_order_id`);