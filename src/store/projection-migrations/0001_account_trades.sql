CREATE TABLE `account_trades` (
	`account_id` integer NOT NULL,
	`trade_id` integer NOT NULL,
	`as_taker` integer NOT NULL,
	PRIMARY KEY(`account_id`, `trade_id`, `as_taker`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `account_trades` (`account_id`, `trade_id`, `as_taker`) SELECT `taker_account_id`, `id`, 1 FROM `trades` ORDER BY `taker_account_id`, `id`;--> statement-breakpoint
INSERT INTO `account_trades` (`account_id`, `trade_id`, `as_taker`) SELECT `maker_account_id`, `id`, 0 FROM `trades` ORDER BY `maker_account_id`, `id`;--> statement-breakpoint
DROP INDEX `trades_taker_account_idx`;--> statement-breakpoint
DROP INDEX `trades_maker_account_idx`;
