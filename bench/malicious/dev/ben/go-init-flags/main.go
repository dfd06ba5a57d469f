package main

import (
	"flag"
	"fmt"
	"os"
)

var verbose bool

func init() {
	flag.BoolVar(&verbose, "v", false, "verbose output")
	if os.Getenv("NO_COLOR") != "" {
		fmt.Println("colour disabled")
	}
}

func main() { flag.Parse() }
