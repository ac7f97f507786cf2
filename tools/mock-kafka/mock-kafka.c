/*
 * Kafka-protocol test broker for Kairos integration tests: a thin launcher around librdkafka's mock
 * cluster (rdkafka_mock.h). No Apache Kafka build can be installed on the dev/CI machines; this speaks
 * the real wire protocol, so kafkajs producers, consumers and consumer groups run unmodified.
 *
 *   mock-kafka --brokers N [--topics name:partitions[,name:partitions...]] [--replication R]
 *
 * Prints one line "BOOTSTRAP host:port,..." on stdout once the cluster listens, then reads commands
 * on stdin, one per line, and answers each with one line "OK ..." or "ERR reason":
 *   down <brokerId>   up <brokerId>   create <topic> <partitions>   quit
 * Exits cleanly on "quit", stdin EOF, SIGTERM or SIGINT.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_LINE 1024

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void usage(FILE *out) {
        fprintf(out,
                "usage: mock-kafka --brokers N [--topics name:partitions,...] [--replication R]\n"
                "  stdin commands: down <id> | up <id> | create <topic> <partitions> | quit\n");
}

/* Parses a decimal int in [min, max]; returns 0 on success. */
static int parse_int(const char *s, long min, long max, int *out) {
        char *end;
        long v;
        if (!s || !*s)
                return -1;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = (int)v;
        return 0;
}

static int valid_topic_name(const char *t) {
        size_t n = strlen(t);
        if (n == 0 || n > 249)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char c = t[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return 0;
        }
        return 1;
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *topic, int partitions, int replication,
                        char *err, size_t errsize) {
        rd_kafka_resp_err_t e;
        if (!valid_topic_name(topic)) {
                snprintf(err, errsize, "invalid topic name '%s' (use [A-Za-z0-9._-], 1-249 chars)", topic);
                return -1;
        }
        e = rd_kafka_mock_topic_create(mc, topic, partitions, replication);
        if (e) {
                snprintf(err, errsize, "create %s: %s", topic, rd_kafka_err2str(e));
                return -1;
        }
        return 0;
}

/* --topics a:6,b:3 */
static int create_topics_arg(rd_kafka_mock_cluster_t *mc, const char *spec, int replication) {
        char *copy = strdup(spec), *save = NULL, *tok;
        char err[512];
        int rc = 0;
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *colon = strrchr(tok, ':');
                int parts;
                if (!colon || parse_int(colon + 1, 1, 10000, &parts)) {
                        fprintf(stderr, "mock-kafka: --topics entry '%s': expected name:partitions (partitions 1..10000)\n",
                                tok);
                        rc = -1;
                        break;
                }
                *colon = '\0';
                if (create_topic(mc, tok, parts, replication, err, sizeof(err))) {
                        fprintf(stderr, "mock-kafka: --topics: %s\n", err);
                        rc = -1;
                        break;
                }
        }
        free(copy);
        return rc;
}

/* Handles one stdin command; returns 1 when the launcher should exit. */
static int handle_command(rd_kafka_mock_cluster_t *mc, char *line, int brokers, int replication) {
        char *save = NULL;
        char *cmd  = strtok_r(line, " \t\r", &save);
        char *a1   = cmd ? strtok_r(NULL, " \t\r", &save) : NULL;
        char *a2   = a1 ? strtok_r(NULL, " \t\r", &save) : NULL;
        char *a3   = a2 ? strtok_r(NULL, " \t\r", &save) : NULL;
        char err[512];
        int id, parts;

        if (!cmd)
                return 0; /* blank line */
        if (!strcmp(cmd, "quit")) {
                printf("OK quit\n");
                return 1;
        }
        if (!strcmp(cmd, "down") || !strcmp(cmd, "up")) {
                rd_kafka_resp_err_t e;
                if (!a1 || a2 || parse_int(a1, 1, brokers, &id)) {
                        printf("ERR %s: expected one broker id in 1..%d\n", cmd, brokers);
                        return 0;
                }
                e = !strcmp(cmd, "down") ? rd_kafka_mock_broker_set_down(mc, id)
                                         : rd_kafka_mock_broker_set_up(mc, id);
                if (e)
                        printf("ERR %s %d: %s\n", cmd, id, rd_kafka_err2str(e));
                else
                        printf("OK %s %d\n", cmd, id);
                return 0;
        }
        if (!strcmp(cmd, "create")) {
                if (!a1 || !a2 || a3 || parse_int(a2, 1, 10000, &parts)) {
                        printf("ERR create: expected <topic> <partitions 1..10000>\n");
                        return 0;
                }
                if (create_topic(mc, a1, parts, replication, err, sizeof(err)))
                        printf("ERR %s\n", err);
                else
                        printf("OK create %s %d\n", a1, parts);
                return 0;
        }
        printf("ERR unknown command '%s' (down <id> | up <id> | create <topic> <partitions> | quit)\n", cmd);
        return 0;
}

int main(int argc, char **argv) {
        int brokers = 3, replication = -1;
        const char *topics = NULL;
        char errstr[512];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mc;
        struct sigaction sa;
        char buf[MAX_LINE];
        size_t used = 0;
        int done = 0;

        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
                        if (parse_int(argv[++i], 1, 64, &brokers)) {
                                fprintf(stderr, "mock-kafka: --brokers '%s': expected an integer 1..64\n", argv[i]);
                                return 2;
                        }
                } else if (!strcmp(argv[i], "--topics") && i + 1 < argc) {
                        topics = argv[++i];
                } else if (!strcmp(argv[i], "--replication") && i + 1 < argc) {
                        if (parse_int(argv[++i], 1, 64, &replication)) {
                                fprintf(stderr, "mock-kafka: --replication '%s': expected an integer 1..64\n", argv[i]);
                                return 2;
                        }
                } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                        usage(stdout);
                        return 0;
                } else {
                        fprintf(stderr, "mock-kafka: unknown or incomplete argument '%s'\n", argv[i]);
                        usage(stderr);
                        return 2;
                }
        }
        if (replication < 0)
                replication = brokers < 3 ? brokers : 3;
        if (replication > brokers) {
                fprintf(stderr, "mock-kafka: --replication %d exceeds --brokers %d\n", replication, brokers);
                return 2;
        }

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        /* The mock cluster needs an rd_kafka_t for its bookkeeping; a producer that never produces. */
        conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "mock-kafka: %s\n", errstr);
                return 1;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock-kafka: rd_kafka_new: %s\n", errstr);
                return 1;
        }
        mc = rd_kafka_mock_cluster_new(rk, brokers);
        if (!mc) {
                fprintf(stderr, "mock-kafka: rd_kafka_mock_cluster_new(%d) failed\n", brokers);
                rd_kafka_destroy(rk);
                return 1;
        }
        if (topics && create_topics_arg(mc, topics, replication)) {
                rd_kafka_mock_cluster_destroy(mc);
                rd_kafka_destroy(rk);
                return 2;
        }

        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);

        while (!done && !stop_requested) {
                struct pollfd pfd = {.fd = 0, .events = POLLIN};
                ssize_t n;
                char *nl;
                int pr = poll(&pfd, 1, 500);
                if (pr < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (pr == 0)
                        continue;
                n = read(0, buf + used, sizeof(buf) - 1 - used);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        break;
                }
                if (n == 0)
                        break; /* EOF: the parent went away */
                used += (size_t)n;
                buf[used] = '\0';
                while (!done && (nl = strchr(buf, '\n'))) {
                        size_t len = (size_t)(nl - buf) + 1;
                        *nl        = '\0';
                        done       = handle_command(mc, buf, brokers, replication);
                        fflush(stdout);
                        memmove(buf, buf + len, used - len + 1);
                        used -= len;
                }
                if (used == sizeof(buf) - 1) {
                        printf("ERR line too long (max %d bytes)\n", MAX_LINE - 2);
                        fflush(stdout);
                        used   = 0;
                        buf[0] = '\0';
                }
        }

        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
