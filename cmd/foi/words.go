package main

import "fmt"

// count writes a number with its noun: "1 reply", "2 replies", "0 files".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
