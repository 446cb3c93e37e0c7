package main

import (
	"log/slog"
	"os"
)

// serveLog makes the logger of `foi serve`: one plain line for each reply
// filed, letter sent, draft waiting and error, with its attributes (ref,
// campaign, uid), on stderr, where systemd's journal or a terminal shows
// it. A short command is quiet (warnings only) unless FOI_LOG says
// otherwise; serve says what it does by default, at info.
func (a *app) serveLog() {
	level := slog.LevelInfo
	if os.Getenv("FOI_LOG") != "" {
		level = logLevel()
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, at slog.Attr) slog.Attr {
			if len(groups) == 0 && at.Key == slog.TimeKey && at.Value.Kind() == slog.KindTime {
				// The time to the second, in the machine's zone: a line a
				// person reads.
				return slog.String(slog.TimeKey, at.Value.Time().Format("2006-01-02 15:04:05"))
			}
			return at
		},
	}))
}
