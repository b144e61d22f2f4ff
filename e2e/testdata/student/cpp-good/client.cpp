// The lecture's client in C++: call argv[1], port argv[2], read the
// greeting, send a line, read the echo to the end.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " HOST PORT\n";
        return 2;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
        std::perror("connect");
        return 1;
    }
    char buf[1024];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    std::cout << std::string(buf, n > 0 ? n : 0);
    std::string line = "hi back atcha\n";
    send(fd, line.data(), line.size(), 0);
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        std::cout << std::string(buf, n);
    close(fd);
}
