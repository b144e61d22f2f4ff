/* The lecture's server in C without listen(): accept() on a socket that
 * is not listening fails with EINVAL, which perror prints. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* eth_addr finds the first IPv4 address of the interface named name. */
static int eth_addr(const char *name, struct in_addr *out) {
    struct ifaddrs *ifs, *i;
    if (getifaddrs(&ifs) < 0)
        return -1;
    for (i = ifs; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && strcmp(i->ifa_name, name) == 0) {
            *out = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
            freeifaddrs(ifs);
            return 0;
        }
    }
    freeifaddrs(ifs);
    return -1;
}

int main(void) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8000);
    if (eth_addr("eth0", &addr.sin_addr) < 0) {
        fprintf(stderr, "no IPv4 address on eth0\n");
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
    printf("server listening at %s:8000\n", ip);
    fflush(stdout);
    for (;;) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        int conn = accept(fd, (struct sockaddr *)&peer, &len);
        if (conn < 0) {
            perror("accept");
            return 1;
        }
        send(conn, "hello\n", 6, 0);
        char buf[1001];
        ssize_t n = recv(conn, buf, 1000, 0);
        if (n > 0) {
            buf[n] = '\0';
            printf("%s said %s", inet_ntoa(peer.sin_addr), buf);
            fflush(stdout);
            send(conn, buf, n, 0);
        }
        close(conn);
    }
}
