"""The floor for any questionary front end: start Python, import questionary, show one question.

With a number N, asks N yes/no questions in a row, each after a "Question k" line like the interview's:
the floor for the time from one answer to the next question on screen.
Example: python benchmarks/bare_questionary.py 20
"""

import sys

import questionary

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
if count == 1:
    questionary.select("Do you want to start?", choices=["Start the questions", "Quit"]).unsafe_ask()
else:
    for number in range(1, count + 1):
        print(f"\nQuestion {number} of at most {count}", flush=True)
        questionary.select(f"Question text number {number}?", choices=["Yes", "No", "Not sure"]).unsafe_ask()
