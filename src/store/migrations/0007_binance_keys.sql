ALTER TABLE `accounts` ADD `api_secret` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `public_key` text;