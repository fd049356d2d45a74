CREATE TABLE `projection` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `journal` ADD `account_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `journal` ADD `client_order_id` text;--> statement-breakpoint
-- Until now orders and trades were written with the journal: they are complete up to its end.
INSERT INTO `projection` (`id`, `seq`) SELECT 1, coalesce(max(`seq`), 0) FROM `journal`;
