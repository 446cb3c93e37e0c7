package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"foi/store"
)

const usageUsers = `users add NAME | users list | users remove NAME
The volunteers who may use the dashboard (foi serve, foi web). Each logs in
with their own password, and everything they do is recorded under their
name. add asks for the password twice on the terminal (nothing is shown as
you type), or reads it from the first line of standard input. Once one
volunteer has an account, everyone must log in, even on this machine.

Examples:
  foi users add "Asha Patel"
  foi users list
  foi users remove "Asha Patel"`

// cmdUsers adds, lists and removes the dashboard's volunteers.
func (a *app) cmdUsers(ctx context.Context, args []string) error {
	fs := a.flags("users")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "list", len(pos) == 0:
		return a.listUsers(ctx)
	case len(pos) == 2 && pos[0] == "add":
		return a.addUser(ctx, pos[1])
	case len(pos) == 2 && pos[0] == "remove":
		_, st, err := a.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.RemoveVolunteer(ctx, pos[1]); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("there is no volunteer called %q (see foi users list)", pos[1])
			}
			return err
		}
		fmt.Fprintf(a.stdout, "%s can no longer log in; what they did stays in the history under their name.\n", pos[1])
		return nil
	}
	return usagef("users add NAME | users list | users remove NAME")
}

func (a *app) listUsers(ctx context.Context) error {
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Volunteers(ctx)
	if err != nil {
		return err
	}
	if a.json {
		if list == nil {
			list = []store.Volunteer{}
		}
		return a.printJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "No volunteer has an account: the dashboard is open to whoever sits at this machine, on 127.0.0.1 only. Add one with `foi users add NAME`.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tADDED")
	for _, v := range list {
		fmt.Fprintf(tw, "%s\t%s\n", v.Name, v.CreatedAt.In(londonLoc()).Format("2006-01-02"))
	}
	return tw.Flush()
}

func (a *app) addUser(ctx context.Context, name string) error {
	if err := store.CheckVolunteerName(name); err != nil {
		return usagef("%v", err)
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pw, err := a.readPassword(name)
	if err != nil {
		return err
	}
	if err := st.AddVolunteer(ctx, name, pw, a.now()); err != nil {
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("there is already a volunteer called %q (remove them first to set a new password)", name)
		}
		return err
	}
	fmt.Fprintf(a.stdout, "%s can now log in to the dashboard. From now on everyone must log in, even on this machine.\n", name)
	return nil
}

// readPassword asks for a password twice on the terminal without echo, or
// reads the first line of standard input when it is not a terminal.
func (a *app) readPassword(name string) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", fmt.Errorf("no password on standard input: give it on the first line, or run foi users add in a terminal")
		}
		return line, nil
	}
	fmt.Fprintf(a.stderr, "Password for %s (at least 10 characters; nothing shows as you type): ", name)
	one, err := term.ReadPassword(fd)
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(a.stderr, "The same password again: ")
	two, err := term.ReadPassword(fd)
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	if string(one) != string(two) {
		return "", fmt.Errorf("the two passwords differ: nothing was changed; try again")
	}
	return string(one), nil
}
