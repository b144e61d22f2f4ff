//go:build !unix

package main

// cpuSeconds is unknown here; the web view then cannot tell sleep from work.
func cpuSeconds() float64 { return 0 }
