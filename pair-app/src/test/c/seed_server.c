/*
 * The seed's blocking server (../shared/seed, Winsock), ported line for line to POSIX sockets so that the
 * integration tests can run the real C program against our sender. It accepts one client, prints every
 * recv() as a C string ("Recv Msg : ...") and never answers. The tests bind it to 127.0.0.1 (the seed used
 * INADDR_ANY) and may choose the port.
 *
 * Usage: seed_server [port]   (the seed: 7777)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7777;

  // Socket
  int listenSocket = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (listenSocket < 0)
    return 0;
  int reuse = 1;
  setsockopt(listenSocket, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));

  // Server address
  struct sockaddr_in serverAddr;
  memset(&serverAddr, 0, sizeof(serverAddr));
  serverAddr.sin_family = AF_INET;
  serverAddr.sin_port = htons(port);
  serverAddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  // Bind
  if (bind(listenSocket, (struct sockaddr *)&serverAddr, sizeof(serverAddr)) < 0)
    return 0;

  // Listen
  if (listen(listenSocket, SOMAXCONN) < 0)
    return 0;

  // Port 0 lets the OS choose: say which one, so that a test can connect
  socklen_t addrLen = sizeof(serverAddr);
  getsockname(listenSocket, (struct sockaddr *)&serverAddr, &addrLen);
  printf("Server Listening... port %d\n", ntohs(serverAddr.sin_port));
  fflush(stdout);

  // Client address
  struct sockaddr_in clientAddr;
  memset(&clientAddr, 0, sizeof(clientAddr));
  socklen_t clientAddrLen = sizeof(clientAddr);

  // Accept
  int clientSocket = accept(listenSocket, (struct sockaddr *)&clientAddr, &clientAddrLen);
  if (clientSocket < 0) {
    printf("Accept Failed, ErrorCode: %d\n", errno);
    return 0;
  }
  printf("Client Connected.\n");
  fflush(stdout);

  // recv
  char recvBuffer[1000];
  while (1) {
    ssize_t recvLen = recv(clientSocket, recvBuffer, sizeof(recvBuffer), 0);
    if (recvLen <= 0) {
      printf("recvLen <= 0, ErrorCode: %d\n", errno);
      break;
    }
    printf("Recv Msg : %s\n", recvBuffer);
    fflush(stdout);
  }
  return 0;
}
