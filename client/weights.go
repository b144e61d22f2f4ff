package main

import (
	"github.com/socketlab/socketlab/internal/results"
)

// weightsUsage is -weights' help, the same for every grader that takes it
// (grade, class, student check, onehost): one file gives the points in
// every results file.
const weightsUsage = "the points of each check in the results files, from `FILE` (default: the weights\nsocketlab ships, " + results.DefaultFile + ")"

// weightsFlag adds -weights to fs; loadWeights reads what it names.
func weightsFlag(fs *flagSet) *string {
	return fs.String("weights", "", weightsUsage)
}

// loadWeights reads -weights FILE, or gives the shipped weights for "". A
// typo in the file is bad usage, said before any grade.
func loadWeights(fs *flagSet, path string) (results.Weights, error) {
	w, err := results.LoadWeights(path)
	if err != nil {
		return w, badUsage(fs, "%v", err)
	}
	return w, nil
}
