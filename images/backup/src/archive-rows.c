/*
 * archive-rows OUT: copies a pg_dump custom-format archive from stdin to stdout unchanged and, on the way,
 * counts the rows of each table's data. OUT gets a JSON array of {"schema", "table", "rows"}, one per TABLE
 * DATA entry of the archive's table of contents, in archive order.
 *
 * Why here and in C (issue 10, measured by bench:backup): the backup manifest's per-table row counts, which
 * the restore drill compares with the restored tables, used to come from count(*) in the dump's snapshot, on
 * the database's single CPU beside pg_dump's own COPY: a fifth of the job's time. Counted in the stream, they
 * cost the job container a copy of the bytes; a Perl counter cost more than the count(*) it replaced.
 *
 * The format, as pg_dump 15 and 16 write it to a pipe (pg_backup_archiver.c, pg_backup_custom.c): a header,
 * the table of contents, then the data blocks in TOC order. Integers are a sign byte and intSize little-endian
 * bytes; strings a length (-1: none) and bytes. A data block is a type byte (1: table, 3: large objects), the
 * entry's dumpId and chunks, each a length and bytes, ending with a zero length. With --compress=0 a table's
 * chunks are its COPY text, one line per row (a newline inside a value is escaped as \n), ended by "\.\n\n\n".
 *
 * Exit status: 0 counted; 3 a stream this does not read (not an archive, compressed, another version,
 * truncated): everything read is still passed on, and OUT says why; 1 an I/O error.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIECE (1 << 20)
#define NAME_MAX_BYTES 1024 /* identifiers are at most 63 bytes; longer strings are skipped, not kept */

static unsigned char buf[PIECE];
static size_t len, pos;
static int at_end;
static char why[256];

static void write_all(const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            perror("archive-rows: write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Refills the buffer with the next piece of stdin, which is passed on at once; 0 at its end. */
static int fill(void) {
    if (at_end) return 0;
    for (;;) {
        ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            perror("archive-rows: read");
            exit(1);
        }
        if (r == 0) {
            at_end = 1;
            len = pos = 0;
            return 0;
        }
        write_all(buf, (size_t)r);
        len = (size_t)r;
        pos = 0;
        return 1;
    }
}

static int failed;
static void fail(const char *fmt, ...) {
    if (failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    failed = 1;
}

/* The next byte, or -1 at the end of the stream. */
static int next_byte(void) {
    if (pos == len && !fill()) return -1;
    return buf[pos++];
}

/* Skips n bytes, copying up to keep_max of them into keep (NUL-terminated) and counting newlines. */
static int take(uint64_t n, char *keep, size_t keep_max, uint64_t *newlines) {
    size_t kept = 0;
    while (n > 0) {
        if (pos == len && !fill()) return -1;
        size_t step = len - pos < n ? len - pos : (size_t)n;
        if (keep && kept < keep_max) {
            size_t k = keep_max - kept < step ? keep_max - kept : step;
            memcpy(keep + kept, buf + pos, k);
            kept += k;
        }
        if (newlines) {
            const unsigned char *p = buf + pos, *end = buf + pos + step;
            while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
                ++*newlines;
                ++p;
            }
        }
        pos += step;
        n -= step;
    }
    if (keep) keep[kept < keep_max ? kept : keep_max] = '\0';
    return 0;
}

static int int_size, off_size;

/* Reads an archive integer into *v; -1 at a premature end. */
static int read_int(int64_t *v) {
    int sign = next_byte();
    uint64_t value = 0;
    if (sign < 0) return -1;
    for (int i = 0; i < int_size; i++) {
        int b = next_byte();
        if (b < 0) return -1;
        value |= (uint64_t)b << (8 * i);
    }
    *v = sign ? -(int64_t)value : (int64_t)value;
    return 0;
}

/* Reads an archive string; *present is 0 for the null string. keep may be NULL. */
static int read_str(char *keep, size_t keep_max, int *present) {
    int64_t n;
    if (read_int(&n) < 0) return -1;
    if (n < 0) {
        if (present) *present = 0;
        if (keep) keep[0] = '\0';
        return 0;
    }
    if (present) *present = 1;
    return take((uint64_t)n, keep, keep_max, NULL);
}

struct table {
    int64_t dump_id;
    char schema[NAME_MAX_BYTES + 1], name[NAME_MAX_BYTES + 1];
    uint64_t rows;
};
static struct table *tables;
static size_t ntables;

static struct table *find_table(int64_t dump_id) {
    for (size_t i = 0; i < ntables; i++)
        if (tables[i].dump_id == dump_id) return &tables[i];
    return NULL;
}

#define NEED(expr) do { if ((expr) < 0) { fail("truncated"); return -1; } } while (0)

static int parse(void) {
    char magic[6], scratch[NAME_MAX_BYTES + 1], desc[64];
    int64_t v;
    int present;
    NEED(take(5, magic, 5, NULL));
    if (strcmp(magic, "PGDMP") != 0) { fail("not a pg_dump archive"); return -1; }
    int vmaj = next_byte(), vmin = next_byte();
    NEED(next_byte()); /* revision */
    if (vmaj != 1 || (vmin != 14 && vmin != 15)) { fail("archive version %d.%d", vmaj, vmin); return -1; }
    int_size = next_byte();
    off_size = next_byte();
    if (int_size < 1 || int_size > 8 || off_size < 1 || off_size > 16) { fail("integer size %d", int_size); return -1; }
    if (next_byte() != 1) { fail("not the custom format"); return -1; }
    if (vmin >= 15) {
        v = next_byte();
        NEED(v);
    } else {
        NEED(read_int(&v));
    }
    if (v != 0) { fail("compressed archive"); return -1; }
    for (int i = 0; i < 7; i++) NEED(read_int(&v));              /* creation time */
    for (int i = 0; i < 3; i++) NEED(read_str(NULL, 0, NULL));   /* database name, server and pg_dump versions */
    int64_t entries;
    NEED(read_int(&entries));
    if (entries < 0 || entries > 100000000) { fail("%lld entries", (long long)entries); return -1; }
    tables = calloc((size_t)entries + 1, sizeof *tables);
    if (!tables) { perror("archive-rows"); exit(1); }
    for (int64_t e = 0; e < entries; e++) {
        struct table t = {0};
        NEED(read_int(&t.dump_id));
        NEED(read_int(&v));                                     /* hadDumper */
        for (int i = 0; i < 2; i++) NEED(read_str(NULL, 0, NULL)); /* catalog tableoid, oid */
        NEED(read_str(t.name, NAME_MAX_BYTES, NULL));           /* tag */
        NEED(read_str(desc, sizeof desc - 1, NULL));
        NEED(read_int(&v));                                     /* section */
        for (int i = 0; i < 3; i++) NEED(read_str(NULL, 0, NULL)); /* definition, drop and copy statements */
        NEED(read_str(t.schema, NAME_MAX_BYTES, NULL));         /* namespace */
        for (int i = 0; i < 4; i++) NEED(read_str(NULL, 0, NULL)); /* tablespace, access method, owner, "with oids" */
        do NEED(read_str(scratch, 0, &present)); while (present); /* dependencies, ended by a null string */
        NEED(take((uint64_t)off_size + 1, NULL, 0, NULL));     /* where the data is: unknown on a pipe */
        if (strcmp(desc, "TABLE DATA") == 0) tables[ntables++] = t;
    }
    /* The data blocks, to the end of the stream. */
    for (;;) {
        int type = next_byte();
        if (type < 0) return 0;
        if (type != 1 && type != 3) { fail("block type %d", type); return -1; }
        int64_t dump_id;
        NEED(read_int(&dump_id));
        struct table *t = type == 1 ? find_table(dump_id) : NULL;
        if (type == 1 && !t) { fail("data for an unknown entry %lld", (long long)dump_id); return -1; }
        uint64_t newlines = 0;
        unsigned char last[5] = {0};
        for (;;) {
            /* Large objects: each an oid, then chunks like a table's; ended by oid 0. */
            if (type == 3) {
                NEED(read_int(&v));
                if (v == 0) break;
            }
            for (;;) {
                int64_t n;
                NEED(read_int(&n));
                if (n == 0) break;
                if (n < 0) { fail("negative chunk length"); return -1; }
                if (t && n >= 5) {
                    /* The chunk's last 5 bytes: the terminator is a chunk of its own. */
                    NEED(take((uint64_t)n - 5, NULL, 0, &newlines));
                    char tail[6];
                    NEED(take(5, tail, 5, &newlines));
                    memcpy(last, tail, 5);
                } else {
                    NEED(take((uint64_t)n, NULL, 0, t ? &newlines : NULL));
                    if (t) memset(last, 0, sizeof last);
                }
            }
            if (type == 1) break;
        }
        if (t) {
            if (memcmp(last, "\\.\n\n\n", 5) != 0 || newlines < 3) {
                fail("the data of %s.%s does not end as pg_dump ends a table", t->schema, t->name);
                return -1;
            }
            t->rows = newlines - 3;
        }
    }
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: archive-rows OUT < archive > archive\n");
        return 2;
    }
    /* Pipes of 1 MiB (the unprivileged maximum by default) on both sides, so that the stages around this one
     * move the stream in large pieces: measured by bench:backup, with the default 64 KiB pipes this extra stage
     * cost the job container about a fifth more CPU; with 1 MiB, about what the stage itself does. Not fatal
     * where a side is not a pipe or the host allows less. */
    (void)fcntl(STDIN_FILENO, F_SETPIPE_SZ, PIECE);
    (void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, PIECE);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    int ok = parse() == 0;
    /* Whatever is left, passed on unparsed: pg_restore or the file gets the whole stream either way. */
    while (fill()) pos = len;
    if (ok) {
        fputc('[', out);
        for (size_t i = 0; i < ntables; i++) {
            fprintf(out, "%s{\"schema\":", i ? "," : "");
            json_str(out, tables[i].schema);
            fputs(",\"table\":", out);
            json_str(out, tables[i].name);
            fprintf(out, ",\"rows\":%llu}", (unsigned long long)tables[i].rows);
        }
        fputs("]\n", out);
    } else {
        fputs("{\"unreadable\":", out);
        json_str(out, why);
        fputs("}\n", out);
    }
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return ok ? 0 : 3;
}
