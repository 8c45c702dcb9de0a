#!/usr/bin/python3
"""Helpers for the sender-authentication interop tests (dkim_interop_test.sh,
spf_pyspf_test.sh), run with Debian's python3 and its python3-dkim, python3-spf and
python3-dnspython:

  auth_interop.py dkim-verify ZONE MESSAGE [INDEX]  dkimpy's dkim.verify of the INDEXth DKIM-Signature (0: the
                                                    topmost), keys from ZONE; prints True/False
  auth_interop.py dkim-sign KEY ALG SEL CANON [l] < message   dkimpy's dkim.sign (d=a.example)
  auth_interop.py dnsd ZONE READYFILE               a UDP DNS server on 127.0.0.1:53 answering TXT from
                                                    ZONE, NXDOMAIN for other names (run it in a network
                                                    namespace); writes READYFILE once listening
  auth_interop.py spf-suite SUITE                   pyspf on every case of an rfc7208-suite.txt, DNS from
                                                    the case's zone: "SECTION | NAME | RESULT | EXPLANATION"

ZONE: one TXT record a line, "NAME TEXT".
"""
import socket
import sys


def read_zone(path):
    zone = {}
    for line in open(path):
        name, text = line.rstrip('\n').split(' ', 1)
        zone[name.lower().rstrip('.')] = text
    return zone


def dkim_verify(zone_path, message_path, index=0):
    import dkim
    zone = read_zone(zone_path)

    def dnsfunc(name, timeout=5):
        text = zone.get(name.decode().rstrip('.').lower())
        return text.encode() if text is not None else None

    try:
        print(dkim.DKIM(open(message_path, 'rb').read()).verify(idx=index, dnsfunc=dnsfunc))
    except dkim.DKIMException:  # what dkim.verify() says False for
        print(False)


def dkim_sign(key_path, alg, selector, canon, length):
    import dkim
    message = sys.stdin.buffer.read()
    signature = dkim.sign(message, selector.encode(), b'a.example', open(key_path, 'rb').read().strip(),
                          canonicalize=tuple(c.encode() for c in canon.split('/')),
                          signature_algorithm=alg.encode(), length=length)
    sys.stdout.buffer.write(signature + message)


def dnsd(zone_path, ready_path):
    import dns.flags
    import dns.message
    import dns.rcode
    import dns.rdatatype
    import dns.rrset
    zone = read_zone(zone_path)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', 53))
    open(ready_path, 'w').write('ready\n')
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            query = dns.message.from_wire(data)
        except Exception:
            continue
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        if name not in zone:
            reply.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.TXT:
            text = zone[name]
            chunks = ' '.join('"%s"' % text[i:i + 255] for i in range(0, len(text), 255))
            reply.answer.append(dns.rrset.from_text(question.name, 300, 'IN', 'TXT', chunks))
        sock.sendto(reply.to_wire(), peer)


def unescape(text):
    """The "quoted" C-escaped strings of a suite zone line, as bytes."""
    out, current, i, quoted = [], bytearray(), 0, False
    while i < len(text):
        c = text[i]
        if c == '"':
            if quoted:
                out.append(bytes(current))
                current = bytearray()
            quoted = not quoted
        elif quoted and c == '\\':
            e = text[i + 1]
            i += 1
            if e == 'x':
                current.append(int(text[i + 1:i + 3], 16))
                i += 2
            elif e == '0':
                current.append(0)
            elif e == 'r':
                current.append(13)
            else:
                current += e.encode()
        elif quoted:
            current += c.encode()
        i += 1
    return out


def load_suite(path):
    sections = []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line or line.startswith('#'):
            continue
        if line.endswith(' |'):
            line += ' '
        fields = line.split(' | ')
        if fields[0] == 'section':
            sections.append({'title': fields[1], 'zone': [], 'cases': []})
        elif fields[0] == 'zone':
            sections[-1]['zone'].append((fields[1], fields[2], fields[3] if len(fields) > 3 else ''))
        elif fields[0] == 'test':
            sections[-1]['cases'].append(fields[1:])
    return sections


def spf_suite(path):
    import spf
    for section in load_suite(path):
        records, timeouts = {}, set()
        for name, rtype, data in section['zone']:
            key = name.lower().rstrip('.')
            if rtype == 'TIMEOUT':
                timeouts.add(key)
            elif rtype == 'EMPTY':
                records.setdefault((key, 'EXISTS'), [])
            elif rtype == 'TXT':
                records.setdefault((key, 'TXT'), []).append(unescape(data))
            elif rtype == 'MX':
                pref, target = data.split(' ', 1)
                records.setdefault((key, 'MX'), []).append((int(pref), '' if target == '""' else target))
            else:
                records.setdefault((key, rtype), []).append(data)

        def lookup(name, qtype, strict=True, timeout=None, records=records, timeouts=timeouts):
            key = name.lower().rstrip('.')
            answers = records.get((key, qtype))
            if answers:
                return [((name, qtype), a) for a in answers]
            if key in timeouts:
                raise spf.TempError('DNS timeout (test zone)')
            return []

        spf.DNSLookup = lookup
        for name, spec, helo, host, mailfrom, results, *rest in section['cases']:
            try:
                result, _, explanation = spf.query(i=host, s=mailfrom, h=helo, querytime=0).check()
            except Exception as e:  # pyspf itself failing is a disagreement to see
                result, explanation = 'exception', str(e)
            if result != 'fail':
                explanation = ''
            print('%s | %s | %s | %s' % (section['title'], name, result, explanation))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'dkim-verify':
        dkim_verify(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif cmd == 'dkim-sign':
        dkim_sign(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], len(sys.argv) > 6)
    elif cmd == 'dnsd':
        dnsd(sys.argv[2], sys.argv[3])
    elif cmd == 'spf-suite':
        spf_suite(sys.argv[2])
    else:
        sys.exit('unknown command ' + cmd)
