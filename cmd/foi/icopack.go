package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"foi/report"
)

// cmdICOPack writes a request's complaint pack (report.BuildPack) to a zip:
// only once a complaint is due, unless --force.
func (a *app) cmdICOPack(ctx context.Context, args []string) error {
	fs := a.flags("ico-pack")
	out := fs.String("out", "", "zip file to write")
	force := fs.Bool("force", false, "build the pack even though a complaint is not due yet (it says so inside)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usagef("ico-pack REF --out FILE.zip [--force]")
	}
	st, sch, f, err := a.requestFacts(ctx, pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := report.BuildPack(ctx, st, sch, f, a.now(), *force)
	var early *report.NotDueError
	if errors.As(err, &early) {
		return fmt.Errorf("%w; --force builds the pack anyway", err)
	}
	if err != nil {
		return fmt.Errorf("ico-pack %s: %w", f.Request.Ref, err)
	}
	if err := writeZip(p, *out); err != nil {
		return fmt.Errorf("ico-pack %s: %w", f.Request.Ref, err)
	}
	if p.Early != "" {
		fmt.Fprintf(a.stderr, "foi: warning: %s.\n", p.Early)
	}
	if a.json {
		return a.printJSON(map[string]any{"ref": p.Ref, "out": *out, "letter": p.LetterName + ".txt", "messages": p.Messages, "attachments": p.Attachments, "early": p.Early})
	}
	fmt.Fprintf(a.stdout, "Wrote %s: the complaint (%s.txt, printable in %s.html), HOW-TO-FILE.txt, timeline.txt, %s and %s; index.txt lists them.\n",
		*out, p.LetterName, p.LetterName, packCount(p.Messages, "message", "messages"), packCount(p.Attachments, "attachment", "attachments"))
	if p.Early != "" {
		fmt.Fprintf(a.stdout, "Warning: %s.\n", p.Early)
	}
	return nil
}

// writeZip writes the pack beside path and renames it into place, so that
// a failure never leaves half a zip.
func writeZip(p *report.Pack, path string) error {
	tmp := path + ".tmp"
	file, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := p.WriteZip(file); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// packCount writes "1 message", "4 messages".
func packCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
