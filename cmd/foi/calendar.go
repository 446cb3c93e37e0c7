package main

import (
	"context"
	"fmt"
	"foi/calendar"
	"foi/config"
	"foi/deadline"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// calendarIfConfigured is the calendar with the imported holidays of the
// configured data folder, or the built-in one when there is no
// configuration: `foi due` and `foi holidays` work without a foi.yaml.
func (a *app) calendarIfConfigured() *calendar.Calendar {
	if cfg, err := config.Load(a.configPath()); err == nil {
		if c, err := calendar.Load(cfg.DataDir()); err == nil {
			return c
		}
	}
	return calendar.New()
}

// cmdDue prints the deadlines for a request delivered on DATE.
func (a *app) cmdDue(ctx context.Context, args []string) error {
	fs := a.flags("due")
	law := fs.String("law", "foia", "foia, foisa, eir or eisr")
	school := fs.Bool("school", false, "the authority is a school (very overdue at 60 working days)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("due DATE [--law foia|foisa|eir|eisr]")
	}
	l, err := calendar.ParseLaw(*law)
	if err != nil {
		return usagef("%v", err)
	}
	d, err := calendar.ParseDate(pos[0])
	if err != nil {
		return usagef("due: %v", err)
	}
	if err := a.setup(); err != nil {
		return err
	}
	cal := a.calendarIfConfigured()
	var tags []string
	if *school {
		tags = []string{"school"}
	}
	delivered := d.In(cal.Location()).Add(12 * time.Hour)
	res := deadline.Compute(cal, deadline.Input{Law: l, Tags: tags, Delivered: delivered})
	ext := deadline.Compute(cal, deadline.Input{Law: l, Tags: tags, Delivered: delivered, Extended: true})
	out := map[string]any{"law": l, "delivered": d, "due": res.Due, "very_overdue": res.VeryOverdue,
		"first_chaser": cal.NextWorkingDay(l, res.Due), "projected": res.Projected}
	if l != calendar.FOISA {
		out["due_if_extended"] = ext.Due
	}
	if a.json {
		return a.printJSON(out)
	}
	fmt.Fprintf(a.stdout, "Delivered %s (%s), %s:\n", d.Format("Mon 2 Jan 2006"), d.Weekday(), strings.ToUpper(string(l)))
	fmt.Fprintf(a.stdout, "  response due      %s (20th working day)\n", res.Due.Format("Mon 2 Jan 2006"))
	fmt.Fprintf(a.stdout, "  first chaser      %s\n", cal.NextWorkingDay(l, res.Due).Format("Mon 2 Jan 2006"))
	if l != calendar.FOISA {
		fmt.Fprintf(a.stdout, "  if extended       %s (40th working day)\n", ext.Due.Format("Mon 2 Jan 2006"))
	}
	fmt.Fprintf(a.stdout, "  very overdue from %s\n", cal.NextWorkingDay(l, res.VeryOverdue).Format("Mon 2 Jan 2006"))
	if res.Projected {
		fmt.Fprintln(a.stdout, "  (depends on projected bank holidays: import newer official data with foi holidays import)")
	}
	return nil
}

func (a *app) cmdHolidays(ctx context.Context, args []string) error {
	fs := a.flags("holidays")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) >= 1 && pos[0] == "import" {
		if len(pos) != 2 {
			return usagef("holidays import FILE.json")
		}
		b, err := os.ReadFile(pos[1])
		if err != nil {
			return err
		}
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		years, err := calendar.Import(cfg.DataDir(), b)
		if err != nil {
			return fmt.Errorf("%s: nothing imported: %w", pos[1], err)
		}
		fmt.Fprintf(a.stdout, "Imported official bank holidays for %v.\n", years)
		return nil
	}
	if err := a.setup(); err != nil {
		return err
	}
	year := a.now().In(londonLoc()).Year()
	if len(pos) == 1 {
		if year, err = strconv.Atoi(pos[0]); err != nil {
			return usagef("holidays [YEAR] | holidays import FILE.json")
		}
	}
	cal := a.calendarIfConfigured()
	list := cal.Holidays(year)
	if a.json {
		return a.printJSON(list)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, h := range list {
		mark := ""
		if h.Projected {
			mark = " (projected)"
		}
		var nations []string
		for _, n := range h.Nations {
			nations = append(nations, string(n))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", h.Date.Format("Mon 2 Jan 2006"), h.Title, strings.Join(nations, ", "), mark)
	}
	return tw.Flush()
}
