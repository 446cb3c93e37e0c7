package main

import (
	"context"
	"flag"
	"fmt"
	"foi/config"
	"io"
	"runtime/debug"
	"strings"
)

// command is one of foi's commands: what `foi help` lists, what `foi help
// NAME` and `foi NAME --help` print, and the function that runs it. The
// flags shown in its help are read from the flag set the command itself
// builds (so the help cannot name a flag that does not exist).
type command struct {
	section string // heading in `foi help`
	name    string
	summary string // one line in `foi help`
	usage   string // synopsis, what it does, and at least one example
	run     func(a *app, ctx context.Context, args []string) error
}

// Sections of `foi help`, in the order they are printed.
const (
	secSetup     = "Setting up"
	secCampaigns = "Campaigns and sending"
	secReplies   = "Replies"
	secSchedule  = "The clock and the schedule"
	secData      = "Exports, search and backups"
	secTry       = "Trying it out"
)

var sections = []string{secSetup, secCampaigns, secReplies, secSchedule, secData, secTry}

// commands returns every command foi has, in the order `foi help` lists
// them. (A function, not a variable, because help itself is in the table.)
// A usage text starts with the synopsis (without "foi "), then says what the
// command does, then gives an example.
//
// Add a command here: one line, {section, name, summary, usage, (*app).cmdX}.
func commands() []command {
	return []command{
		{secSetup, "init", "write foi.yaml and the data folder", usageInit, (*app).cmdInit},
		{secSetup, "check-config", "check foi.yaml (--connect: log in to SMTP and IMAP)", usageCheckConfig, (*app).cmdCheckConfig},
		{secSetup, "authorities", "import, list, remove or archive public authorities", usageAuthorities, (*app).cmdAuthorities},
		{secSetup, "users", "the volunteers who may use the dashboard: add, list, remove", usageUsers, (*app).cmdUsers},

		{secCampaigns, "campaign", "create, preview, schedule, list, remove or archive campaigns", usageCampaign, (*app).cmdCampaign},
		{secCampaigns, "send", "send a campaign's letters", usageSend, (*app).cmdSend},
		{secCampaigns, "status", "each request's state, sent time, due date and last reply", usageStatus, (*app).cmdStatus},
		{secCampaigns, "resend", "send again a letter held in doubt, or a bounced one to a corrected address (--to)", usageResend, (*app).cmdResend},
		{secCampaigns, "mark-sent", "record a letter held in doubt as sent", usageMarkSent, (*app).cmdMarkSent},

		{secReplies, "sync", "fetch and file new mail once", usageSync, (*app).cmdSync},
		{secReplies, "show", "a request's thread: letters, replies, attachments, events", usageShow, (*app).cmdShow},
		{secReplies, "mark", "confirm what a reply was (successful, refused, ...)", usageMark, (*app).cmdMark},
		{secReplies, "unmatched", "replies that could not be filed, with suggestions", usageUnmatched, (*app).cmdUnmatched},
		{secReplies, "assign", "file an unmatched reply by hand", usageAssign, (*app).cmdAssign},
		{secReplies, "paid", "the fee asked for was paid: the clock runs again", usagePaid, (*app).cmdPaid},
		{secReplies, "redirect", "write to the new address a reply gave, for all the authority's open requests", usageRedirect, (*app).cmdRedirect},
		{secReplies, "attachments", "list or save a request's or a campaign's files", usageAttachments, (*app).cmdAttachments},
		{secReplies, "answer", "code a request's answer to one of its campaign's questions", usageAnswer, (*app).cmdAnswer},

		{secSchedule, "serve", "watch the mailbox, keep the schedule, send (until Ctrl-C)", usageServe, (*app).cmdServe},
		{secSchedule, "web", "the dashboard alone, in your browser (until Ctrl-C)", usageWeb, (*app).cmdWeb},
		{secSchedule, "tick", "one pass of the scheduler: plan and send what is due", usageTick, (*app).cmdTick},
		{secSchedule, "digest", "email the volunteers what arrived and what needs a person", usageDigest, (*app).cmdDigest},
		{secSchedule, "drafts", "letters waiting for approval (show, edit)", usageDrafts, (*app).cmdDrafts},
		{secSchedule, "approve", "send a draft at the next sending time", usageApprove, (*app).cmdApprove},
		{secSchedule, "discard", "drop a draft", usageDiscard, (*app).cmdDiscard},
		{secSchedule, "reply", "compose and queue a follow-up from a template", usageReply, (*app).cmdReply},
		{secSchedule, "due", "the deadlines for a request delivered on a date", usageDue, (*app).cmdDue},
		{secSchedule, "holidays", "the bank holidays of a year, or import newer ones", usageHolidays, (*app).cmdHolidays},
		{secSchedule, "ico-pack", "the complaint pack for the Information Commissioner", usageICOPack, (*app).cmdICOPack},

		{secData, "export", "publish the results: CSV, JSON, league table (md, html), calendar (ics), zip", usageExport, (*app).cmdExport},
		{secData, "search", "find words in the replies and the text of their files", usageSearch, (*app).cmdSearch},
		{secData, "reindex", "read the replies' files again and rebuild the search index", usageReindex, (*app).cmdReindex},
		{secData, "backup", "the database and every message and file, in one archive", usageBackup, (*app).cmdBackup},
		{secData, "restore", "unpack a backup into a new, empty folder", usageRestore, (*app).cmdRestore},
		{secData, "check", "verify the database and every stored message and file", usageCheck, (*app).cmdCheck},

		{secTry, "demo", "the example campaign against mail servers inside the process", usageDemo, (*app).cmdDemo},
		{secTry, "help", "this list, or one command's usage and examples", usageHelp, (*app).cmdHelp},
		{secTry, "version", "the version of this foi", usageVersion, (*app).cmdVersion},
	}
}

// nearestCommand is the command a mistyped name was probably meant to be
// ("stauts": status), or "".
func nearestCommand(name string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		if d := config.EditDistance(name, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

const globalFlagsHelp = `Global flags (before or after the command):
  --config FILE   configuration file (default foi.yaml, or $FOI_CONFIG)
  --now TIME      act as if it were TIME (2026-03-02 or 2026-03-02T10:00, Europe/London), to
                  see what would happen then: with --now nothing is ever sent or appended to
                  the mailbox; send and tick show what they would do, serve refuses to start
  --json          machine-readable output
  --version       print foi's version and exit

For tests and scripted demonstrations only:
  --really-send-at-fake-time   with --now, send for real, dated at the fake time
`

// printHelp writes the general help: every command with its summary.
func printHelp(w io.Writer) {
	fmt.Fprint(w, "foi — Freedom of Information requests from your own mailbox\n\n")
	fmt.Fprint(w, "Usage: foi [--config FILE] [--now TIME] [--json] COMMAND [ARGS]\n")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, s := range sections {
		fmt.Fprintf(w, "\n%s:\n", s)
		for _, c := range commands() {
			if c.section == s {
				fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
			}
		}
	}
	fmt.Fprint(w, "\nRun `foi help COMMAND` (or `foi COMMAND --help`) for a command's usage and an example.\n\n")
	fmt.Fprint(w, globalFlagsHelp)
}

// printCommandHelp writes one command's usage, then the flags its own flag
// set defines (fs may be nil: a command without flags of its own).
func printCommandHelp(w io.Writer, c command, fs *flag.FlagSet) {
	synopsis, rest, _ := strings.Cut(strings.TrimSpace(c.usage), "\n")
	fmt.Fprintf(w, "Usage: foi %s\n", synopsis)
	// Continuation lines of the synopsis ("       foi campaign list") stay
	// with it; a blank line comes before the description.
	for strings.HasPrefix(rest, "       foi ") {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		fmt.Fprintf(w, "%s\n", line)
	}
	if rest != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(rest, "\n"))
	}
	if own := commandFlags(fs); len(own) > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		for _, f := range own {
			name, usage := flag.UnquoteUsage(f)
			arg := "--" + f.Name
			switch name {
			case "":
			case "string":
				arg += " TEXT"
			case "int", "uint":
				arg += " N"
			default:
				arg += " " + strings.ToUpper(name)
			}
			fmt.Fprintf(w, "  %-22s %s\n", arg, usage)
		}
	}
	fmt.Fprint(w, "\nGlobal flags: --config FILE, --now TIME, --json (see `foi help`).\n")
}

// globalFlags are the flags app.flags puts on every flag set.
var globalFlags = map[string]bool{"config": true, "now": true, "json": true, "really-send-at-fake-time": true, "version": true}

// commandFlags lists the flags of fs that are the command's own.
func commandFlags(fs *flag.FlagSet) []*flag.Flag {
	var own []*flag.Flag
	if fs == nil {
		return nil
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !globalFlags[f.Name] {
			own = append(own, f)
		}
	})
	return own
}

// cmdHelp prints the general help, or one command's: it asks the command
// itself for its help (every command parses its flags before doing
// anything), so that its own flag set is what is listed.
func (a *app) cmdHelp(ctx context.Context, args []string) error {
	fs := a.flags("help")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		printHelp(a.stdout)
		return nil
	}
	c, ok := lookup(pos[0])
	if !ok {
		return usagef("help: no command %q; `foi help` lists them", pos[0])
	}
	if c.name == "help" {
		printCommandHelp(a.stdout, c, nil)
		return nil
	}
	a.command = c.name
	return c.run(a, ctx, []string{"--help"})
}

// version is set at link time by a release build
// (-ldflags "-X main.version=v1.2.3"); otherwise the module version from
// the build information is used.
var version = ""

// versionLine describes this binary from its build information: module
// version, commit, commit time and whether the tree was modified.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return describeBuild(version, bi)
}

// describeBuild is versionLine's text for a link-time version v (or "") and
// the build information (or nil).
func describeBuild(v string, bi *debug.BuildInfo) string {
	if bi == nil {
		if v == "" {
			v = "devel"
		}
		return "foi " + v + " (no build information)"
	}
	if v == "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "devel"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	var parts []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, "commit "+rev)
		if at != "" {
			parts = append(parts, at)
		}
		if modified == "true" {
			parts = append(parts, "with uncommitted changes")
		}
	} else {
		parts = append(parts, "built without version control information")
	}
	parts = append(parts, bi.GoVersion)
	return fmt.Sprintf("foi %s (%s)", v, strings.Join(parts, ", "))
}

func (a *app) cmdVersion(ctx context.Context, args []string) error {
	fs := a.flags("version")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, versionLine())
	return nil
}
