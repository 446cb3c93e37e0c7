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
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zone database

	"foi/config"
	"foi/store"
)

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
	// command is the command being run, and cmdFlags the flag set it
	// built: what its --help prints.
	command  string
	cmdFlags *flag.FlagSet
	// terminal draws progress bars as on a terminal (tests).
	terminal bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := startProfile(os.Getenv("FOI_CPUPROFILE"))
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// startProfile writes a CPU profile of this run to path, when it is set
// (FOI_CPUPROFILE: for the README's speed measurements), and returns the
// function that finishes it. A profile that cannot be written is said once
// on standard error and the command runs anyway.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "foi: FOI_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	err := a.dispatch(ctx, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		if c, ok := lookup(a.command); ok {
			printCommandHelp(stdout, c, a.cmdFlags)
		} else {
			printHelp(stdout)
		}
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "foi: %v\n", err)
		if _, ok := lookup(a.command); ok && a.command != "help" {
			fmt.Fprintf(stderr, "Run `foi help %s` for its usage and an example.\n", a.command)
		}
		return 2
	default:
		fmt.Fprintf(stderr, "foi: %s\n", explain(err))
		return 1
	}
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	// Global flags may come before the command.
	fs := a.flags("foi")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v (`foi help` lists the flags)", err)
	}
	if *showVersion {
		fmt.Fprintln(a.stdout, versionLine())
		return nil
	}
	rest := fs.Args()
	if len(rest) == 0 {
		printHelp(a.stdout)
		return usagef("no command given: say one of the commands above")
	}
	name, rest := rest[0], rest[1:]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	c, ok := lookup(name)
	if !ok {
		if near := nearestCommand(name); near != "" {
			return usagef("unknown command %q: did you mean `foi %s`?", name, near)
		}
		return usagef("unknown command %q; `foi help` lists them", name)
	}
	a.command = c.name
	if fake, really := hasFlag(args, "now"), hasFlag(args, "really-send-at-fake-time"); fake && !really && !hasFlag(rest, "help") && !hasFlag(rest, "h") {
		// "What happens on Monday?" must never send anything (SPEC section
		// 8): under --now, the commands that send only show what they would.
		switch c.name {
		case "send", "tick":
			fmt.Fprintf(a.stderr, "foi: --now is set: showing what %s would do; nothing is sent.\n", c.name)
			rest = append(rest, "--dry-run")
		case "serve":
			return usagef("serve sends letters and files replies for real, so it does not run under --now; to see what would happen then, use `foi tick --dry-run --now TIME`")
		case "resend":
			return usagef("resend sends a letter for real, so it does not run under --now")
		}
	}
	return c.run(a, ctx, rest)
}

// flags makes a flag set with the global flags on it.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if name != "foi" {
		a.cmdFlags = fs // listed by the command's help
	}
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
