CREATE TABLE `book_samples` (
	`symbol` text NOT NULL,
	`time` integer NOT NULL,
	`bid` integer,
	`ask` integer,
	`bid_quantity` integer NOT NULL,
	`ask_quantity` integer NOT NULL,
	PRIMARY KEY(`symbol`, `time`)
);
