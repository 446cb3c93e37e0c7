package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"foi/export"
	"foi/results"
)

const usageExport = `export [SLUG|REF] --format csv|json|md|html|ics|zip [--out FILE] [--bom]
Publish the results: one row per request (csv, json), a league table
(md, html: one self-contained page to upload as it is), a calendar of due
dates, review deadlines, ICO windows and scheduled letters (ics), or a zip:
for a REF the letter, replies, files and coded answers with your own
address and signature removed; for a SLUG every file in a folder per
authority with an index. Without SLUG or REF, every campaign (not zip).
Written to standard output, or with --out to FILE (never overwriting: a
taken name becomes "FILE (2)"); zip needs --out. --bom starts a CSV with a
UTF-8 byte order mark for Excel. --feed (with --format ics) prints the
secret address of the calendar feed that foi serve gives calendar apps.

Examples:
  foi export LXP7 --format csv --bom --out lxp7.csv
  foi export LXP7 --format html --out league.html
  foi export LXP7-004 --format zip --out LXP7-004.zip
  foi export LXP7 --format ics --feed`

// cmdExport writes an export of a campaign, a request or everything.
func (a *app) cmdExport(ctx context.Context, args []string) error {
	fs := a.flags("export")
	format := fs.String("format", "csv", "csv, json, md, html, ics or zip")
	out := fs.String("out", "", "file to write (default: standard output; zip needs it)")
	bom := fs.Bool("bom", false, "start a CSV with a UTF-8 byte order mark (for Excel)")
	feed := fs.Bool("feed", false, "with --format ics: print the address of the calendar feed that calendar apps can subscribe to")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("export [SLUG|REF] --format csv|json|md|html|ics|zip [--out FILE]")
	}
	f, err := results.ParseFormat(*format)
	if err != nil {
		return usagef("export: --%v", err)
	}
	if f == results.Zip && *out == "" {
		return usagef("export --format zip needs --out FILE.zip")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	arg := ""
	if len(pos) == 1 {
		arg = pos[0]
	}
	sc, err := results.ResolveScope(ctx, st, arg)
	if err != nil {
		return err
	}
	if *feed {
		if f != results.ICS || sc.Ref != "" {
			return usagef("export --feed is the calendar feed of a campaign or of every campaign: --format ics, SLUG or nothing")
		}
		token, err := results.FeedToken(ctx, st, sc.Slug)
		if err != nil {
			return err
		}
		base := strings.TrimSuffix(cfg.Web.PublicURL, "/")
		if base == "" {
			base = "http://" + cfg.Web.Listen
		}
		fmt.Fprintf(a.stdout, "%s%s\n", base, results.FeedPath(token))
		return nil
	}
	var buf bytes.Buffer
	bar := a.newBar()
	progress := func(done, total int) { bar.show(done, total, "files in the zip") }
	err = results.Export(ctx, &buf, st, sch, sc, f, results.Options{BOM: *bom, Progress: progress}, a.now())
	bar.end()
	var scopeErr *results.ErrScope
	if errors.As(err, &scopeErr) {
		return usagef("export --format %s: %v", f, err)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", orAll(arg), err)
	}
	if *out == "" {
		_, err := a.stdout.Write(buf.Bytes())
		return err
	}
	return a.saveExport(*out, buf.Bytes())
}

func orAll(arg string) string {
	if arg == "" {
		return "of every campaign"
	}
	return arg
}

// saveExport writes data as the file path, with export.Save: never over a
// file already there.
func (a *app) saveExport(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if name == "" {
		return usagef("--out %q names a folder: give a file name", path)
	}
	root, err := os.OpenRoot(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--out %s: the folder %s does not exist", path, dir)
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	defer root.Close()
	res, err := export.Save(root, name, data)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"out": res.Path, "outcome": res.Outcome, "bytes": len(data)})
	}
	switch res.Outcome {
	case export.Renamed:
		fmt.Fprintf(a.stdout, "Wrote %s (%s was taken: nothing is ever overwritten).\n", res.Path, path)
	case export.Identical:
		fmt.Fprintf(a.stdout, "%s is already there with exactly these contents: nothing written.\n", res.Path)
	default:
		fmt.Fprintf(a.stdout, "Wrote %s.\n", res.Path)
	}
	return nil
}
