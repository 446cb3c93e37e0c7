package main

import (
	"errors"
	"fmt"

	"foi/store"
)

// explain turns an error the user can fix by looking something up into
// words: "no request PSW-999; `foi status` lists them" rather than the
// store's "request PSW-999: store: not found", and "there is a campaign
// LXP7 already: ..." rather than "store: already exists". Other errors are printed as
// they are, since they already say what was being done.
func explain(err error) string {
	var nf *store.NotFoundError
	if errors.As(err, &nf) {
		if where := whereToLook(nf.What); where != "" {
			return fmt.Sprintf("no %s %s; %s", nf.What, nf.Key, where)
		}
		return fmt.Sprintf("no %s %s", nf.What, nf.Key)
	}
	var ex *store.ExistsError
	if errors.As(err, &ex) && ex.What == "campaign" {
		return fmt.Sprintf("there is a campaign %s already: choose another SLUG (`foi campaign list` lists them), or remove that one with `foi campaign remove %s` if it was made by mistake", ex.Key, ex.Key)
	}
	return err.Error()
}

// whereToLook is the command that lists each kind of thing.
func whereToLook(what string) string {
	switch what {
	case "request":
		return "`foi status` lists them"
	case "campaign":
		return "`foi campaign list` lists them"
	case "authority":
		return "`foi authorities list` lists them"
	case "message":
		return "`foi unmatched` lists the replies waiting to be filed"
	}
	return ""
}
