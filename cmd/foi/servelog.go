package main

import (
	"context"
	"log/slog"
	"os"

	"foi/campaign"
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
	text := slog.NewTextHandler(a.stderr, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, at slog.Attr) slog.Attr {
			if len(groups) == 0 && at.Key == slog.TimeKey && at.Value.Kind() == slog.KindTime {
				// The time to the second, in the machine's zone: a line a
				// person reads.
				return slog.String(slog.TimeKey, at.Value.Time().Format("2006-01-02 15:04:05"))
			}
			return at
		},
	})
	a.log = slog.New(withCampaign{Handler: text})
}

// withCampaign adds the campaign to a line that names a request (ref) but
// not its campaign, so that every line about a request can be picked out
// by campaign (grep campaign=LXP7).
type withCampaign struct {
	slog.Handler
	ref, campaign bool // set by WithAttrs
}

func (h withCampaign) Handle(ctx context.Context, r slog.Record) error {
	if h.campaign || h.ref {
		return h.Handler.Handle(ctx, r)
	}
	ref, has := "", false
	r.Attrs(func(at slog.Attr) bool {
		switch at.Key {
		case "ref":
			ref = at.Value.String()
		case "campaign":
			has = true
		}
		return true
	})
	if slug := campaign.SlugOf(ref); slug != "" && !has {
		r = r.Clone()
		r.AddAttrs(slog.String("campaign", slug))
	}
	return h.Handler.Handle(ctx, r)
}

func (h withCampaign) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := withCampaign{Handler: h.Handler, ref: h.ref, campaign: h.campaign || hasKey(attrs, "campaign")}
	var slug string
	for _, at := range attrs {
		if at.Key == "ref" {
			out.ref, slug = true, campaign.SlugOf(at.Value.String())
		}
	}
	if slug != "" && !out.campaign {
		attrs = append(attrs[:len(attrs):len(attrs)], slog.String("campaign", slug))
		out.campaign = true
	}
	out.Handler = h.Handler.WithAttrs(attrs)
	return out
}

func (h withCampaign) WithGroup(name string) slog.Handler {
	return withCampaign{Handler: h.Handler.WithGroup(name), ref: h.ref, campaign: h.campaign}
}

func hasKey(attrs []slog.Attr, key string) bool {
	for _, at := range attrs {
		if at.Key == key {
			return true
		}
	}
	return false
}
