package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"foi/calendar"
	"foi/lifecycle"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
	"html"
	"os"
	"strings"
)

// cmdICOPack builds the complaint pack: the letter, a timeline, every
// message as .eml, every attachment, and an index.
func (a *app) cmdICOPack(ctx context.Context, args []string) error {
	fs := a.flags("ico-pack")
	out := fs.String("out", "", "zip file to write")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usagef("ico-pack REF --out FILE.zip")
	}
	st, sch, f, err := a.requestFacts(ctx, pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	r := f.Request
	name := "ico_complaint"
	if calendar.Law(r.Law).Scottish() {
		name = "sic_appeal"
	}
	// The drafted complaint if there is one, else one written now.
	var letter string
	for _, it := range f.Outbox {
		if it.Step == lifecycle.StepComplaint {
			var l mailer.Letter
			if json.Unmarshal([]byte(it.Letter), &l) == nil {
				letter = l.Body
			}
		}
	}
	if letter == "" {
		l, err := sch.Letter(f, name, "", a.now())
		if err != nil {
			return err
		}
		letter = l.Body
	}
	if err := writePack(ctx, st, f, name, letter, *out); err != nil {
		return fmt.Errorf("ico-pack %s: %w", r.Ref, err)
	}
	fmt.Fprintf(a.stdout, "Wrote %s: the complaint (%s.txt), a timeline, %d messages and their attachments.\n", *out, name, len(f.Thread))
	return nil
}

func writePack(ctx context.Context, st *store.Store, f schedule.Facts, name, letter, path string) error {
	tmp := path + ".tmp"
	file, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	zw := zip.NewWriter(file)
	add := func(name string, data []byte) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	loc := londonLoc()
	var index, timeline strings.Builder
	fmt.Fprintf(&index, "Complaint pack for %s: %s <%s>\nCampaign %s: %s\n\nFiles:\n  %s.txt  the complaint letter\n  timeline.txt  what happened, in order\n",
		f.Request.Ref, f.Request.Authority.Name, f.Request.ToAddress, f.Campaign.Slug, f.Campaign.Title, name)
	if err := add(name+".txt", []byte(letter)); err != nil {
		return err
	}
	page := "<!doctype html>\n<meta charset=\"utf-8\">\n<title>" + html.EscapeString(f.Request.Ref) +
		"</title>\n<pre style=\"font: 12pt serif; white-space: pre-wrap\">" + html.EscapeString(letter) + "</pre>\n"
	if err := add(name+".html", []byte(page)); err != nil {
		return err
	}
	for _, e := range f.Events {
		fmt.Fprintf(&timeline, "%s  %-14s %s\n", e.At.In(loc).Format("2006-01-02 15:04"), e.Kind, e.Detail)
	}
	if err := add("timeline.txt", []byte(timeline.String())); err != nil {
		return err
	}
	used := map[string]bool{}
	for i, m := range f.Thread {
		if m.Kind == lifecycle.StepComplaint.Kind() {
			continue
		}
		raw, err := st.ReadMail(m.SHA256)
		if err != nil {
			return err
		}
		dir := "received"
		if m.Direction == "out" {
			dir = "sent"
		}
		when := m.CreatedAt.In(loc).Format("2006-01-02")
		eml := fmt.Sprintf("messages/%02d-%s-%s-%s.eml", i+1, when, dir, safeFileName(orDefault(string(m.Kind), "message")))
		if err := add(eml, raw); err != nil {
			return err
		}
		fmt.Fprintf(&index, "  %s  %s %s: %s\n", eml, dir, when, m.Subject)
		atts, err := st.Attachments(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, at := range atts {
			data, err := os.ReadFile(st.FilePath(at.SHA256))
			if err != nil {
				return err
			}
			fn := "attachments/" + uniqueName(safeFileName(at.Name), used)
			if err := add(fn, data); err != nil {
				return err
			}
			fmt.Fprintf(&index, "  %s  attached to message %02d (%s, %d bytes)\n", fn, i+1, at.ContentType, at.Size)
		}
	}
	if err := add("index.txt", []byte(index.String())); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
