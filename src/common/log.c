/* Logging: text lines to stderr or a file, or runc's JSON lines
 * ({"level":...,"msg":...,"time":...}) which containerd parses from --log.
 * The log is process-global state by design: it is set once from flags. */
#include <jansson.h>

#include "common.h"

static const char *const log_level_table[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARN] = "warning",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
};

static const char *const log_format_table[_LOG_FORMAT_MAX] = {
        [LOG_FORMAT_TEXT] = "text",
        [LOG_FORMAT_JSON] = "json",
};

const char *log_level_to_string(LogLevel l) {
        return l >= 0 && l < _LOG_LEVEL_MAX ? log_level_table[l] : NULL;
}

LogLevel log_level_from_string(const char *s) {
        if (s && strcmp(s, "warn") == 0)
                return LOG_LEVEL_WARN;
        for (int i = 0; s && i < _LOG_LEVEL_MAX; i++)
                if (strcmp(log_level_table[i], s) == 0)
                        return i;
        return _LOG_LEVEL_INVALID;
}

const char *log_format_to_string(LogFormat f) {
        return f >= 0 && f < _LOG_FORMAT_MAX ? log_format_table[f] : NULL;
}

LogFormat log_format_from_string(const char *s) {
        for (int i = 0; s && i < _LOG_FORMAT_MAX; i++)
                if (strcmp(log_format_table[i], s) == 0)
                        return i;
        return _LOG_FORMAT_INVALID;
}

static int log_fd = STDERR_FILENO;
static LogFormat log_format = LOG_FORMAT_TEXT;
static LogLevel log_max_level = LOG_LEVEL_WARN;
static const char *log_program = "berth";

int log_open(const char *program, const char *path, LogFormat format, LogLevel level) {
        if (program)
                log_program = program;
        log_format = format;
        log_max_level = level;
        if (!path)
                return 0;
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        log_set_fd(fd);
        return 0;
}

void log_set_fd(int fd) {
        if (log_fd > STDERR_FILENO && log_fd != fd)
                safe_close(log_fd);
        log_fd = fd;
}

int log_get_fd(void) {
        return log_fd;
}

bool log_enabled(LogLevel level) {
        return level <= log_max_level;
}

void log_msg(LogLevel level, const char *fmt, ...) {
        if (!log_enabled(level) || log_fd < 0)
                return;

        int saved_errno = errno;
        char msg[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        if (log_format == LOG_FORMAT_JSON) {
                char when[64];
                time_now_rfc3339(when);
                json_t *o = json_pack("{s:s, s:s, s:s}", "level", log_level_table[level], "msg", msg, "time", when);
                char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
                if (line) {
                        size_t len = strlen(line);
                        line[len] = '\n';
                        (void) write_all(log_fd, line, len + 1);
                        line[len] = '\0';
                }
                free(line);
                json_decref(o);
        } else {
                char line[4200];
                int n;
                if (level == LOG_LEVEL_ERROR)
                        n = snprintf(line, sizeof line, "%s: %s\n", log_program, msg);
                else
                        n = snprintf(line, sizeof line, "%s: %s: %s\n", log_program, log_level_table[level], msg);
                if (n > 0)
                        (void) write_all(log_fd, line, (size_t) n < sizeof line ? (size_t) n : sizeof line - 1);
        }
        errno = saved_errno;
}
