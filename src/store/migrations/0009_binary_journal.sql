CREATE TABLE `journal_batches` (
	`last_seq` integer PRIMARY KEY NOT NULL,
	`first_seq` integer NOT NULL,
	`time` integer NOT NULL,
	`last_order_id` integer NOT NULL,
	`entries` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`seq` integer PRIMARY KEY NOT NULL,
	`time` integer NOT NULL,
	`last_order_id` integer NOT NULL,
	`image` blob NOT NULL
);
