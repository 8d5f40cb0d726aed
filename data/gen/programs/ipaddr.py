"""ipaddress: parse, compare and summarise generated IPv4/IPv6 addresses and networks."""
import ipaddress, random


def main(arg):
    rng = random.Random(12 if arg == 'train' else 13)
    if arg == 'train':
        nets = []
        for _ in range(300):
            a = ipaddress.ip_address('10.%d.%d.%d' % (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
            nets.append(ipaddress.ip_network('%s/24' % a, strict=False))
            a.is_private
        sorted(nets)
    else:
        for _ in range(60):
            a = ipaddress.IPv6Address(rng.getrandbits(128))
            str(a); a.exploded; a.is_global
            n = ipaddress.ip_network('2001:db8:%x::/48' % rng.randrange(65536))
            list(n.subnets(new_prefix=50))
            a in n
        ipaddress.ip_interface('192.168.1.5/24').network
        list(ipaddress.summarize_address_range(ipaddress.IPv4Address('10.0.0.0'), ipaddress.IPv4Address('10.0.3.255')))
        list(ipaddress.collapse_addresses(ipaddress.ip_network('10.0.%d.0/24' % i) for i in range(16)))
        ipaddress.ip_network('10.0.0.0/16').address_exclude(ipaddress.ip_network('10.0.5.0/24'))
