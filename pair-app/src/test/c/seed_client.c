/*
 * The seed's blocking client (../shared/seed, Winsock), ported line for line to POSIX sockets so that the
 * integration tests can run the real C program against our server. Only the Winsock calls changed; the
 * 100-byte buffer, the send loop and the messages are the seed's.
 *
 * Usage: seed_client [port [interval_ms [count]]]   (the seed: 7777, 2000 ms, forever)
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
  int interval_ms = argc > 2 ? atoi(argv[2]) : 2000;
  int count = argc > 3 ? atoi(argv[3]) : -1;

  // TCP socket
  int sock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (sock < 0) {
    return 0;
  }

  // Server address
  struct sockaddr_in serverAddr;
  memset(&serverAddr, 0, sizeof(serverAddr));
  serverAddr.sin_family = AF_INET;
  serverAddr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &serverAddr.sin_addr);

  // Connect
  if (connect(sock, (struct sockaddr *)&serverAddr, sizeof(serverAddr)) < 0) {
    printf("Connect Failed, ErrorCode: %d\n", errno);
    close(sock);
    return 0;
  }
  printf("Success, Connected to Server\n");
  fflush(stdout);

  // Send
  char sendBuffer[100] = "This Msg From Client";
  for (int sent = 0; count < 0 || sent < count; sent++) {
    ssize_t sendLen = send(sock, sendBuffer, sizeof(sendBuffer), 0);
    if (sendLen <= 0) {
      printf("SendLen <= 0 Failed, ErrorCode: %d\n", errno);
      break;
    }
    usleep(interval_ms * 1000);
  }

  close(sock);
  return 0;
}
