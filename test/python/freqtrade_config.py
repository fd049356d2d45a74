# freqtrade hands its `exchange.ccxt_config` to python ccxt's sync, async and pro clients: this is
# that, with the block from the README (argv[2], JSON) and a fresh account at argv[1]. Prints OK.
import asyncio, json, sys, urllib.request
import ccxt, ccxt.async_support, ccxt.pro

base, config = sys.argv[1], json.loads(sys.argv[2])
request = urllib.request.Request(base + "/api/v1/accounts", data=json.dumps({"name": "freqtrade"}).encode(), headers={"content-type": "application/json"})
account = json.load(urllib.request.urlopen(request))
keys = {"apiKey": account["apiKey"], "secret": account["apiSecret"]}

sync = ccxt.binance({**keys, **config})
sync.load_markets()
assert sorted(sync.markets) == ["BTC/USD", "ETH/USD", "SOL/USD"], sorted(sync.markets)
order = sync.create_order("BTC/USD", "limit", "sell", 0.1, 64000)
assert order["status"] == "open" and sync.fetch_balance()["used"]["BTC"] == 0.1

async def run():
    client = ccxt.async_support.binance({**keys, **config})
    assert [o["id"] for o in await client.fetch_open_orders("BTC/USD")] == [order["id"]]
    await client.close()
    pro = ccxt.pro.binance({**keys, **config})
    book = await pro.watch_order_book("BTC/USD")
    assert book["asks"][:1] == [[64000.0, 0.1]], book["asks"][:1]
    await pro.close()

asyncio.run(run())
print("OK")
