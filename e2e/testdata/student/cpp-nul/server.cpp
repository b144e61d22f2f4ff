// The lecture's server in C++, sending its greeting with sizeof, which
// counts the NUL that ends the string literal: 7 bytes, "hello\n\0".
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

static in_addr ethAddr(const std::string &name) {
    ifaddrs *ifs = nullptr;
    if (getifaddrs(&ifs) < 0) throw std::runtime_error("getifaddrs failed");
    for (ifaddrs *i = ifs; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && name == i->ifa_name) {
            in_addr a = reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr;
            freeifaddrs(ifs);
            return a;
        }
    }
    freeifaddrs(ifs);
    throw std::runtime_error("no IPv4 address on " + name);
}

static void serve(int conn) {
    send(conn, "hello\n", sizeof("hello\n"), 0);
    char buf[1000];
    ssize_t n = recv(conn, buf, sizeof buf, 0);
    if (n > 0) {
        std::cout << "said: " << std::string(buf, n) << std::flush;
        send(conn, buf, n, 0);
    }
    close(conn);
}

int main() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8000);
    addr.sin_addr = ethAddr("eth0");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
        std::perror("bind");
        return 1;
    }
    listen(fd, 5);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
    std::cout << "server listening at " << ip << ":8000" << std::endl;
    while (true) {
        int conn = accept(fd, nullptr, nullptr);
        if (conn < 0) continue;
        std::thread(serve, conn).detach();
    }
}
