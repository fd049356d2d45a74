# A client of the binary order-entry protocol in Python's standard library only, written from
# docs/binary-protocol.md (not from the TypeScript code): login, a resting order, an amend, a
# crossing IOC order from a second session with fills to both, a malformed message. Prints OK
# when every assertion held.
#   python3 binary_client.py HOST PORT KEY_A KEY_B
import socket
import struct
import sys

HOST, PORT, KEY_A, KEY_B = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Session:
    def __init__(self, key):
        self.sock = socket.create_connection((HOST, PORT))
        self.buf = b""
        self.seq = 0
        self.markets = {}
        self.send(1, struct.pack("<BB", 1, len(key)) + key.encode())
        accepted = self.read()
        assert accepted["type"] == 0x81, accepted
        self.account = struct.unpack_from("<I", accepted["body"], 0)[0]
        for _ in range(struct.unpack_from("<H", accepted["body"], 4)[0]):
            m = self.read()
            assert m["type"] == 0x82, m
            market_id = struct.unpack_from("<H", m["body"], 0)[0]
            lengths = m["body"][2:6]
            at = 8
            fields = []
            for n in lengths:
                fields.append(m["body"][at:at + n].decode())
                at += n
            self.markets[fields[0]] = {"id": market_id, "tick": fields[1], "step": fields[2]}

    def send(self, msg_type, body):
        self.seq += 1
        self.sock.sendall(struct.pack("<HBBI", 8 + len(body), msg_type, 0, self.seq) + body)
        return self.seq

    def send_raw(self, data):
        self.sock.sendall(data)

    def read(self):
        while len(self.buf) < 2 or len(self.buf) < struct.unpack_from("<H", self.buf, 0)[0]:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        length, msg_type, _flags, seq = struct.unpack_from("<HBBI", self.buf, 0)
        body, self.buf = self.buf[8:length], self.buf[length:]
        return {"type": msg_type, "seq": seq, "body": body}

    def until(self, want_type, seq=None):
        seen = []
        while True:
            m = self.read()
            assert m is not None, f"closed while waiting for 0x{want_type:x}: {seen}"
            seen.append(m)
            if m["type"] == want_type and (seq is None or m["seq"] == seq):
                return m, seen

    def limit(self, market, side, price, quantity, tif=0, client_id=b""):
        body = struct.pack("<HBBBBBB", market, side, 0, tif, 0, 255, len(client_id))
        body += struct.pack("<qqqqqII", price, quantity, 0, 0, 0, 0, 0) + client_id
        return self.send(2, body)


a, b = Session(KEY_A), Session(KEY_B)
btc = a.markets["BTC-USD"]
assert btc["tick"] == "0.01" and btc["step"] == "0.0001", btc

# A resting sell of 0.3 BTC at 95000.00, then amended down to 0.2 BTC.
seq = a.limit(btc["id"], 1, 9_500_000, 3_000, client_id=b"py-1")
accepted, _ = a.until(0x83, seq)
order_id, status = struct.unpack_from("<qB", accepted["body"], 0)
assert status == 0, status
seq = a.send(4, struct.pack("<qqq", order_id, 0, 2_000))
amended, _ = a.until(0x88, seq)
assert struct.unpack_from("<qqqq", amended["body"], 0) == (order_id, 9_500_000, 2_000, 0)

# B buys 0.5 BTC IOC at up to 95000.00: 0.2 fill, the rest expires.
seq = b.limit(btc["id"], 0, 9_500_000, 5_000, tif=1)
taken, _ = b.until(0x83, seq)
taker_id, status, _pad, filled = struct.unpack_from("<qB7sq", taken["body"], 0)
assert (status, filled) == (4, 2_000), (status, filled)
fill, _ = b.until(0x85)
f_order, trade_id, price, qty, fee, liquidity, side = struct.unpack_from("<qqqqqBB", fill["body"], 0)
assert (f_order, price, qty, liquidity, side) == (taker_id, 9_500_000, 2_000, 1, 0)
maker_fill, _ = a.until(0x85)
m_order, m_trade, m_price, m_qty, _fee, m_liquidity, m_side = struct.unpack_from("<qqqqqBB", maker_fill["body"], 0)
assert (m_order, m_trade, m_qty, m_liquidity, m_side) == (order_id, trade_id, 2_000, 0, 1)

# A refusal carries the domain outcome: cancelling the filled order is ORDER_NOT_OPEN (5) or
# UNKNOWN_ORDER (4), with its words.
seq = a.send(3, struct.pack("<q", order_id))
refused, _ = a.until(0x84, seq)
code, n = struct.unpack_from("<HH", refused["body"], 0)
assert code in (4, 5) and len(refused["body"][8:8 + n].decode()) > 0, refused

# A malformed message (side 7) closes the session with MALFORMED (0) and a reason.
body = struct.pack("<HBBBBBB", btc["id"], 7, 0, 0, 0, 255, 0) + struct.pack("<qqqqqII", 100, 1, 0, 0, 0, 0, 0)
a.send(2, body)
closing, _ = a.until(0x8F)
reason, n = struct.unpack_from("<HH", closing["body"], 0)
assert reason == 0 and "side" in closing["body"][8:8 + n].decode(), closing
assert a.read() is None  # the server closed it
print("OK")
