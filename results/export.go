package results

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"foi/schedule"
	"foi/store"
)

// Format is an export's kind of file.
type Format string

// The formats of Export.
const (
	CSV      Format = "csv"
	JSON     Format = "json"
	Markdown Format = "md"
	HTML     Format = "html"
	ICS      Format = "ics"
	Zip      Format = "zip"
)

// ParseFormat reads a format's name ("markdown" is md), naming the choices
// when it is none of them.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case CSV, JSON, Markdown, HTML, ICS, Zip:
		return f, nil
	case "markdown":
		return Markdown, nil
	}
	return "", fmt.Errorf("format %q: use csv, json, md, html, ics or zip", s)
}

// ContentType is the media type to serve the format as.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json"
	case Markdown:
		return "text/markdown; charset=utf-8"
	case HTML:
		return "text/html; charset=utf-8"
	case ICS:
		return "text/calendar; charset=utf-8"
	case Zip:
		return "application/zip"
	}
	return "application/octet-stream"
}

// FileName is the name to save an export of the scope as: "LXP7.csv",
// "LXP7-004.zip", "foi.ics".
func (f Format) FileName(sc Scope) string {
	name := "foi"
	switch {
	case sc.Ref != "":
		name = sc.Ref
	case sc.Slug != "":
		name = sc.Slug
	}
	return name + "." + string(f)
}

// Options shape an export.
type Options struct {
	// BOM starts a CSV with a UTF-8 byte order mark (for Excel).
	BOM bool
	// Progress, if set, is told how far a campaign's zip of files has got
	// (files written, of the total): for a progress bar on a terminal.
	Progress func(done, total int)
}

// ErrScope is returned for a format that does not apply to the scope: a
// zip of every campaign, a calendar of one request.
type ErrScope struct{ Msg string }

func (e *ErrScope) Error() string { return e.Msg }

// Export writes the scope in the format to w, at now: what `foi export`
// and the dashboard's export links both call.
func Export(ctx context.Context, w io.Writer, st *store.Store, sch *schedule.Scheduler, sc Scope, f Format, o Options, now time.Time) error {
	switch f {
	case Zip:
		switch {
		case sc.Ref != "":
			return WriteRequestPack(ctx, w, st, sch, sc.Ref, now)
		case sc.Slug != "":
			return WriteCampaignFilesProgress(ctx, w, st, sc.Slug, now, sch.Cal.Location(), o.Progress)
		}
		return &ErrScope{"a zip is of one campaign (SLUG) or one request (REF), not of every campaign"}
	case ICS:
		if sc.Ref != "" {
			return &ErrScope{"a calendar is of a campaign (SLUG) or of every campaign, not of one request"}
		}
		return WriteCalendar(ctx, w, sch, sc.Slug, now)
	}
	t, err := Load(ctx, st, sch, sc, now)
	if err != nil {
		return err
	}
	switch f {
	case CSV:
		return WriteCSV(w, t, sch.Cal, CSVOptions{BOM: o.BOM})
	case JSON:
		return WriteJSON(w, t, sch.Cal)
	case Markdown:
		return WriteMarkdown(w, t)
	case HTML:
		return WriteHTML(w, t)
	}
	return fmt.Errorf("format %q: use csv, json, md, html, ics or zip", f)
}
