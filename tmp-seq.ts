import { createHmac } from "node:crypto";
import { HttpPool } from "./src/load/http-client";
const base = "http://127.0.0.1:18080";
const pool = new HttpPool(base);
const acct = JSON.parse((await pool.request("POST", "/api/v1/accounts", { "content-type": "application/json" }, JSON.stringify({ name: "p" }))).body);
const sign = (form: string) => `${form}&signature=${createHmac("sha256", acct.apiSecret).update(form).digest("hex")}`;
for (let i = 0; i < 6000; i++) await pool.request("GET", "/api/v3/account?" + sign(`timestamp=${Date.now()}`), { "x-mbx-apikey": acct.apiKey });
for (let i = 0; i < 6000; i++) await pool.request("POST", "/api/v3/order", { "x-mbx-apikey": acct.apiKey, "content-type": "application/x-www-form-urlencoded" }, sign(`symbol=BTCUSD&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=100&newOrderRespType=FULL&timestamp=${Date.now()}`));
pool.close();
