DROP TABLE `balances`;--> statement-breakpoint
DROP TABLE `ledger`;--> statement-breakpoint
DROP TABLE `orders`;--> statement-breakpoint
DROP TABLE `projection`;--> statement-breakpoint
DROP TABLE `trades`;