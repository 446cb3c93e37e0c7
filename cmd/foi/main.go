// Command foi sends Freedom of Information requests from a campaign's own
// mailbox, reads the replies, keeps the statutory clocks and chases.
//
// This file and its neighbours only wire things together: they parse flags,
// load the configuration, open the store and call the packages that do the
// work. Run `foi help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zone database

	"foi/config"
	"foi/store"
)

const usage = `foi — Freedom of Information requests from your own mailbox

Usage: foi [--config FILE] [--now TIME] [--json] COMMAND [ARGS]

Setting up:
  init                                  write foi.yaml and the data folder
  check-config [--connect]              check foi.yaml; --connect logs in to SMTP and IMAP
  authorities import FILE.csv           add or update authorities (name,email,jurisdiction,tags,short_name)
  authorities list                      list authorities
Campaigns:
  campaign new SLUG --title T --letter FILE --authorities SELECTOR [--law L] [--schedule step=mode,...]
                                        SELECTOR: all, tag:X, or "Name One,Name Two"
  campaign schedule SLUG [step=mode ...] show or set the campaign's step modes (auto, draft, off)
  campaign preview SLUG [REF]           print exactly the bytes that would be sent
  campaign list                         list campaigns
  send SLUG [--dry-run] [--limit N]     send the campaign's letters
  resend REF                            send again a letter held in doubt (same Message-ID)
  mark-sent REF                         record a letter held in doubt as sent
  status [SLUG]                         each request's state, sent time, due date, last reply
Replies:
  sync                                  fetch and file new mail once
  show REF                              a request's thread: letters, replies, attachments, events
  mark REF STATE [--note T]             confirm what a reply was (successful, refused, ...)
  unmatched                             replies that could not be filed, with suggestions
  assign MESSAGE REF                    file an unmatched reply by hand
  paid REF [--note T]                   the fee asked for was paid: the clock runs again
  attachments REF|SLUG [--out DIR]      list a request's files, or a whole campaign's; --out saves
                                        them, each request in its own folder, never overwriting

The clock and the schedule:
  serve                                 watch the mailbox, keep the schedule, send (until Ctrl-C)
  tick [--dry-run]                      plan due chasers/reviews/complaints, send what is due
  drafts                                letters waiting for approval
  drafts show ID                        a draft exactly as it would go, and what to fill in
  drafts edit ID [--file FILE]          change a draft's text (in $VISUAL or $EDITOR, or from FILE)
  approve ID [--grounds T]              send a draft at the next sending time (--grounds fills
                                        its [GROUNDS: ...] line)
  discard ID                            drop a draft
  reply REF --template NAME [--edit] [--draft] [--grounds T]
                                        compose and queue a follow-up
  due DATE [--law foia|foisa|eir|eisr]  the deadlines for a request delivered on DATE
  holidays [YEAR] | holidays import FILE.json
  ico-pack REF --out FILE.zip [--force] the complaint pack for the Commissioner (--force: before it is due)

Backups:
  backup FILE.tar.gz                    the database and every message and file, in one archive
                                        (safe while serve runs)
  restore FILE.tar.gz DIR               unpack a backup into a new, empty DIR, checking every hash
  check [--data DIR]                    verify the database and every stored message and file

Trying it out:
  demo [--dir DIR] [--headless]         the example campaign against mail servers inside the process

Global flags (before or after the command):
  --config FILE   configuration file (default foi.yaml, or $FOI_CONFIG)
  --now TIME      act as if it were TIME (2026-03-02 or 2026-03-02T10:00, Europe/London), to
                  see what would happen then: with --now nothing is ever sent or appended to
                  the mailbox; send and tick show what they would do, serve refuses to start
  --json          machine-readable output

For tests and scripted demonstrations only:
  --really-send-at-fake-time   with --now, send for real, dated at the fake time
`

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string   { return e.msg }
func (e usageError) Is(t error) bool { return t == errUsage }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// app is one invocation: its flags, its output and its clock.
type app struct {
	stdout, stderr io.Writer
	cfgPath        string
	nowFlag        string
	json           bool
	// reallySend lets --now send real mail (tests, e2e, scripted demos).
	reallySend bool
	now        func() time.Time
	log        *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	err := a.dispatch(ctx, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "foi: %v\nRun `foi help` for usage.\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "foi: %v\n", err)
		return 1
	}
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	// Global flags may come before the command.
	fs := a.flags("foi")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(a.stdout, usage)
		return usagef("no command given")
	}
	cmd, rest := rest[0], rest[1:]
	if fake, really := hasFlag(args, "now"), hasFlag(args, "really-send-at-fake-time"); fake && !really {
		// "What happens on Monday?" must never send anything (SPEC section
		// 8): under --now, the commands that send only show what they would.
		switch cmd {
		case "send", "tick":
			fmt.Fprintf(a.stderr, "foi: --now is set: showing what %s would do; nothing is sent.\n", cmd)
			rest = append(rest, "--dry-run")
		case "serve":
			return usagef("serve sends letters and files replies for real, so it does not run under --now; to see what would happen then, use `foi tick --dry-run --now TIME`")
		case "resend":
			return usagef("resend sends a letter for real, so it does not run under --now")
		}
	}
	switch cmd {
	case "help", "-h", "--help":
		return flag.ErrHelp
	case "init":
		return a.cmdInit(ctx, rest)
	case "check-config":
		return a.cmdCheckConfig(ctx, rest)
	case "authorities":
		return a.cmdAuthorities(ctx, rest)
	case "campaign":
		return a.cmdCampaign(ctx, rest)
	case "send":
		return a.cmdSend(ctx, rest)
	case "resend":
		return a.cmdResend(ctx, rest)
	case "mark-sent":
		return a.cmdMarkSent(ctx, rest)
	case "status":
		return a.cmdStatus(ctx, rest)
	case "demo":
		return a.cmdDemo(ctx, rest)
	case "sync":
		return a.cmdSync(ctx, rest)
	case "show":
		return a.cmdShow(ctx, rest)
	case "mark":
		return a.cmdMark(ctx, rest)
	case "assign":
		return a.cmdAssign(ctx, rest)
	case "paid":
		return a.cmdPaid(ctx, rest)
	case "unmatched":
		return a.cmdUnmatched(ctx, rest)
	case "attachments":
		return a.cmdAttachments(ctx, rest)
	case "tick":
		return a.cmdTick(ctx, rest)
	case "serve":
		return a.cmdServe(ctx, rest)
	case "drafts":
		return a.cmdDrafts(ctx, rest)
	case "approve":
		return a.cmdApprove(ctx, rest)
	case "discard":
		return a.cmdDiscard(ctx, rest)
	case "reply":
		return a.cmdReply(ctx, rest)
	case "due":
		return a.cmdDue(ctx, rest)
	case "holidays":
		return a.cmdHolidays(ctx, rest)
	case "ico-pack":
		return a.cmdICOPack(ctx, rest)
	case "backup":
		return a.cmdBackup(ctx, rest)
	case "restore":
		return a.cmdRestore(ctx, rest)
	case "check":
		return a.cmdCheck(ctx, rest)
	default:
		return usagef("unknown command %q", cmd)
	}
}

// flags makes a flag set with the global flags on it.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.cfgPath, "config", a.cfgPath, "configuration file")
	fs.StringVar(&a.nowFlag, "now", a.nowFlag, "act as if it were this time")
	fs.BoolVar(&a.json, "json", a.json, "machine-readable output")
	fs.BoolVar(&a.reallySend, "really-send-at-fake-time", a.reallySend, "with --now, send for real")
	return fs
}

// hasFlag reports whether the flag name is among the arguments, as -name,
// --name or --name=value.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// parseArgs parses flags wherever they stand among the positional
// arguments, and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// setup finishes global flags: the clock and the logger.
func (a *app) setup() error {
	if a.now != nil {
		return nil
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: logLevel()}))
	if a.nowFlag == "" {
		a.now = time.Now
		return nil
	}
	t, err := parseNow(a.nowFlag)
	if err != nil {
		return usagef("--now: %v", err)
	}
	// The clock starts at --now and runs on from there, so that waits and
	// rate limits behave as they would.
	start := time.Now()
	a.now = func() time.Time { return t.Add(time.Since(start)) }
	return nil
}

func logLevel() slog.Level {
	switch strings.ToLower(os.Getenv("FOI_LOG")) {
	case "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "error":
		return slog.LevelError
	}
	return slog.LevelWarn
}

// parseNow reads a --now value: RFC 3339, or a London date or date-time.
func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.Time{}, err
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(12 * time.Hour)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use 2026-03-02, 2026-03-02T10:00 or RFC 3339", s)
}

func (a *app) configPath() string {
	if a.cfgPath != "" {
		return a.cfgPath
	}
	if p := os.Getenv("FOI_CONFIG"); p != "" {
		return p
	}
	return "foi.yaml"
}

func (a *app) loadConfig() (*config.Config, error) {
	if err := a.setup(); err != nil {
		return nil, err
	}
	return config.Load(a.configPath())
}

// open loads the configuration and opens the store, which must exist: only
// `foi init` makes a data folder (initDataDir), so a mistyped
// storage.data_dir is refused, naming the folder, never taken for a new
// empty store.
func (a *app) open(ctx context.Context) (*config.Config, *store.Store, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.OpenExisting(ctx, cfg.DataDir())
	if errors.Is(err, store.ErrNoDataDir) {
		return nil, nil, fmt.Errorf("%w (storage.data_dir in %s)", err, a.configPath())
	}
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
