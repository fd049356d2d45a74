# A python-binance bot, unmodified but for its URLs, against the exchange at argv[1]: REST
# (exchangeInfo, orders, book, fills, balances, klines, the 24-hour and rolling tickers, the wallet's status and fees, an
# error) and a market stream.
# Exits non-zero on the first assertion that fails; prints OK at the end.
import asyncio, json, sys, urllib.request
from binance import AsyncClient, BinanceSocketManager, Client
from binance.exceptions import BinanceAPIException

base = sys.argv[1]

def account(name, deposits):
    body = json.dumps({"name": name, "deposits": deposits}).encode()
    req = urllib.request.Request(base + "/api/v1/accounts", data=body, headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req))

def client(a):
    c = Client(a["apiKey"], a["apiSecret"], ping=False)  # ping would go to binance.com
    c.API_URL = base + "/api"
    c.MARGIN_API_URL = base + "/sapi"  # the wallet endpoints
    return c

maker_keys, taker_keys = account("py-maker", {"USD": "100000", "BTC": "10"}), account("py-taker", {"USD": "100000"})
maker, taker = client(maker_keys), client(taker_keys)

assert [s["symbol"] for s in maker.get_exchange_info()["symbols"]] == ["BTCUSD", "ETHUSD", "SOLUSD"]
sell = maker.create_order(symbol="BTCUSD", side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.5", price="64000")
assert sell["status"] == "NEW"
assert taker.get_order_book(symbol="BTCUSD")["asks"] == [["64000.00", "0.5000"]]
buy = taker.order_market_buy(symbol="BTCUSD", quantity="0.1")
assert buy["status"] == "FILLED" and buy["fills"][0]["commission"] == "0.00020000", buy
assert maker.get_order(symbol="BTCUSD", orderId=sell["orderId"])["status"] == "PARTIALLY_FILLED"
assert [o["orderId"] for o in maker.get_open_orders(symbol="BTCUSD")] == [sell["orderId"]]
assert [t["isBuyer"] for t in taker.get_my_trades(symbol="BTCUSD")] == [True]
assert taker.get_asset_balance(asset="BTC") == {"asset": "BTC", "free": "0.09980000", "locked": "0.00000000"}
assert taker.get_asset_balance(asset="USD")["free"] == "93600.000000"
assert taker.get_klines(symbol="BTCUSD", interval=Client.KLINE_INTERVAL_1HOUR)[-1][1:6] == ["64000.00"] * 4 + ["0.1000"]
assert taker.get_ticker(symbol="BTCUSD")["lastPrice"] == "64000.00"
window = taker.get_symbol_ticker_window(symbol="BTCUSD", windowSize="4h")
assert (window["lastPrice"], window["volume"], window["count"]) == ("64000.00", "0.1000", 1), window
assert taker.get_system_status() == {"status": 0, "msg": "normal"}
assert taker.get_account_status() == {"data": "Normal"}
assert taker.get_trade_fee(symbol="BTCUSD") == [{"symbol": "BTCUSD", "makerCommission": "0.00100000", "takerCommission": "0.00200000"}]
assert maker.cancel_order(symbol="BTCUSD", orderId=sell["orderId"])["status"] == "CANCELED"
try:
    taker.create_order(symbol="BTCUSD", side="BUY", type="LIMIT", timeInForce="GTC", quantity="1000", price="64000")
    assert False, "an order past the balance was taken"
except BinanceAPIException as e:
    assert e.code == -2010 and e.message == "Account has insufficient balance for requested action.", e

async def trade_stream():
    c = AsyncClient(taker_keys["apiKey"], taker_keys["apiSecret"])  # AsyncClient.create() would ping binance.com
    c.API_URL = base + "/api"
    sockets = BinanceSocketManager(c)
    sockets.STREAM_URL = base.replace("http", "ws") + "/"
    async with sockets.trade_socket("BTCUSD") as stream:
        await asyncio.sleep(0.3)
        await c.create_order(symbol="BTCUSD", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.1", price="64100")
        await asyncio.get_running_loop().run_in_executor(None, lambda: maker.order_market_sell(symbol="BTCUSD", quantity="0.1"))
        message = await asyncio.wait_for(stream.recv(), 5)
        assert (message["e"], message["p"], message["q"], message["m"]) == ("trade", "64100.00", "0.1000", True), message
    await c.close_connection()

asyncio.run(trade_stream())
print("OK")
