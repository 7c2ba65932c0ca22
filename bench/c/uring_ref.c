/*
 * uring_ref: the C reference uring4j's benchmarks are measured against, on liburing.
 *
 *   uring_ref nop SECONDS QD                      NOPs in batches of QD; prints ops/s
 *   uring_ref read FILE SECONDS QD BS [direct] [fixed]
 *                                                 random reads over the whole file, QD in flight,
 *                                                 optionally O_DIRECT and registered file + buffers;
 *                                                 prints reads/s
 *
 * Output is one line: "<ops per second>". Built by bench/compare.sh with gcc and liburing-dev.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err) {
    fprintf(stderr, "uring_ref: %s: %s\n", what, strerror(err < 0 ? -err : err));
    exit(1);
}

/* xorshift64*: a cheap random block number per request */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static int nop(double seconds, unsigned qd) {
    struct io_uring ring;
    int r = io_uring_queue_init(qd, &ring, 0);
    if (r < 0) die("io_uring_queue_init", r);
    unsigned long long done = 0;
    double start = now(), end = start + seconds, t = start;
    while (t < end) {
        for (unsigned i = 0; i < qd; i++) {
            struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
            io_uring_prep_nop(sqe);
            sqe->user_data = i;
        }
        r = io_uring_submit_and_wait(&ring, qd);
        if (r < 0) die("io_uring_submit_and_wait", r);
        unsigned seen = 0, head;
        struct io_uring_cqe *cqe;
        while (seen < qd) {
            unsigned n = 0;
            io_uring_for_each_cqe(&ring, head, cqe) { n++; }
            io_uring_cq_advance(&ring, n);
            seen += n;
        }
        done += qd;
        t = now();
    }
    printf("%.0f\n", done / (t - start));
    io_uring_queue_exit(&ring);
    return 0;
}

static int randread(const char *path, double seconds, unsigned qd, unsigned bs, int direct, int fixed) {
    int fd = open(path, O_RDONLY | (direct ? O_DIRECT : 0));
    if (fd < 0) die(path, errno);
    struct stat st;
    if (fstat(fd, &st)) die("fstat", errno);
    uint64_t blocks = st.st_size / bs;
    if (!blocks) die("file smaller than one block", EINVAL);

    struct io_uring ring;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int r = io_uring_queue_init_params(qd * 2, &ring, &p);
    if (r < 0) {
        memset(&p, 0, sizeof p);
        r = io_uring_queue_init_params(qd * 2, &ring, &p);
    }
    if (r < 0) die("io_uring_queue_init_params", r);

    char *buf;
    if (posix_memalign((void **) &buf, 4096, (size_t) bs * qd)) die("posix_memalign", ENOMEM);
    struct iovec iov = { buf, (size_t) bs * qd };
    int target = fd;
    if (fixed) {
        if ((r = io_uring_register_files(&ring, &fd, 1)) < 0) die("register_files", r);
        if ((r = io_uring_register_buffers(&ring, &iov, 1)) < 0) die("register_buffers", r);
        target = 0;
    }
    for (unsigned i = 0; i < qd; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        off_t off = (off_t) (next_random() % blocks) * bs;
        if (fixed) {
            io_uring_prep_read_fixed(sqe, target, buf + (size_t) i * bs, bs, off, 0);
            sqe->flags |= IOSQE_FIXED_FILE;
        } else {
            io_uring_prep_read(sqe, target, buf + (size_t) i * bs, bs, off);
        }
        sqe->user_data = i;
    }
    unsigned long long done = 0;
    double start = now(), end = start + seconds, t = start;
    unsigned inflight = qd;
    while (inflight) {
        r = io_uring_submit_and_wait(&ring, 1);
        if (r < 0) die("io_uring_submit_and_wait", r);
        unsigned head, n = 0;
        struct io_uring_cqe *cqe;
        int more = (t = now()) < end;
        io_uring_for_each_cqe(&ring, head, cqe) {
            if (cqe->res != (int) bs) die("read", cqe->res < 0 ? cqe->res : -EIO);
            unsigned i = (unsigned) cqe->user_data;
            n++;
            done++;
            if (more) {
                struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
                off_t off = (off_t) (next_random() % blocks) * bs;
                if (fixed) {
                    io_uring_prep_read_fixed(sqe, target, buf + (size_t) i * bs, bs, off, 0);
                    sqe->flags |= IOSQE_FIXED_FILE;
                } else {
                    io_uring_prep_read(sqe, target, buf + (size_t) i * bs, bs, off);
                }
                sqe->user_data = i;
            } else {
                inflight--;
            }
        }
        io_uring_cq_advance(&ring, n);
    }
    printf("%.0f\n", done / (now() - start));
    io_uring_queue_exit(&ring);
    close(fd);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "nop")) {
        return nop(atof(argv[2]), (unsigned) atoi(argv[3]));
    }
    if (argc >= 6 && !strcmp(argv[1], "read")) {
        int direct = 0, fixed = 0;
        for (int i = 6; i < argc; i++) {
            direct |= !strcmp(argv[i], "direct");
            fixed |= !strcmp(argv[i], "fixed");
        }
        return randread(argv[2], atof(argv[3]), (unsigned) atoi(argv[4]), (unsigned) atoi(argv[5]), direct, fixed);
    }
    fprintf(stderr, "usage: uring_ref nop SECONDS QD | uring_ref read FILE SECONDS QD BS [direct] [fixed]\n");
    return 2;
}
