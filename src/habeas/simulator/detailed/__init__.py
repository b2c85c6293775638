"""The parts of the detailed caseload (`habeas.simulator.caseload`): its model, its questions to
the law, a case's intake, its suspects, its court."""
