-- IF EXISTS: a projection file made while 0002 was briefly without this index never had it.
DROP INDEX IF EXISTS `orders_client_idx`;
