import GraphIR

// Scalar functions for expected values, through the same math library as the interpreter.
func _sin(_ x: Double) -> Double { ScalarMath.apply(.sin, [x]) }
func _cos(_ x: Double) -> Double { ScalarMath.apply(.cos, [x]) }
func _exp(_ x: Double) -> Double { ScalarMath.apply(.exp, [x]) }
func _log(_ x: Double) -> Double { ScalarMath.apply(.log, [x]) }
func _tanh(_ x: Double) -> Double { ScalarMath.apply(.tanh, [x]) }
func _pow(_ x: Double, _ y: Double) -> Double { ScalarMath.apply(.pow, [x, y]) }
