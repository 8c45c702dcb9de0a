#!/usr/bin/env python3
"""bench/make_maildir.py DIR N: N messages in the Maildir DIR (cur/, new/, tmp/ made), as
the IMAP benchmark's folder (bench/run.sh). Deterministic: the same N gives the same bytes.
Sizes 1-8 kB, a third already \\Seen, a tenth answered: what a real INBOX looks like."""
import os
import random
import sys

def main():
    d, n = sys.argv[1], int(sys.argv[2])
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    rng = random.Random(1)
    words = ("mail lab queue relay bounce header envelope folder message server client "
             "session literal fetch store select flags answered seen draft").split()
    for i in range(n):
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(2, 7)))
        lines = []
        size = rng.randint(1000, 8000)
        while sum(len(l) + 2 for l in lines) < size:
            lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(5, 12))))
        day = 1 + i % 28
        msg = (f"Return-Path: <sender{i % 37}@a.example>\r\n"
               f"From: Sender {i % 37} <sender{i % 37}@a.example>\r\n"
               f"To: u@imap.test\r\n"
               f"Subject: {subject} #{i + 1}\r\n"
               f"Date: Mon, {day:02d} Nov 2026 10:{i % 60:02d}:00 +0000\r\n"
               f"Message-ID: <{i + 1}.bench@a.example>\r\n"
               f"MIME-Version: 1.0\r\n"
               f"Content-Type: text/plain; charset=us-ascii\r\n"
               f"\r\n" + "\r\n".join(lines) + "\r\n")
        flags = ("R" if i % 10 == 0 else "") + ("S" if i % 3 == 0 else "")
        name = f"{1790000000 + i}.M{i}P1.bench,S={len(msg)}:2,{flags}"
        with open(os.path.join(d, "cur", name), "w", newline="") as f:
            f.write(msg)

main()
