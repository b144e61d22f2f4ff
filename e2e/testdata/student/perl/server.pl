# The lecture's server in Perl (perl-base: no modules beyond the core),
# bound to eth0's address, which the lab passes as the first argument.
use strict;
use warnings;
use Socket;

my $ip = shift or die "usage: perl server.pl IP\n";
socket(my $server, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($server, SOL_SOCKET, SO_REUSEADDR, 1) or die "setsockopt: $!";
bind($server, sockaddr_in(8000, inet_aton($ip))) or die "bind: $!";
listen($server, 5) or die "listen: $!";
$| = 1;
print "server listening at $ip:8000\n";
while (accept(my $client, $server)) {
    syswrite($client, "hello\n");
    my $data = '';
    sysread($client, $data, 1000);
    print "said: $data";
    syswrite($client, $data);
    close($client);
}
