#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

int main(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr)
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8000);
    bind(fd, (struct sockaddr *)&addr, sizeof addr);
    listen(fd, 5);
    return 0;
}
