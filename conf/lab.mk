# The lab this tree is at.  The reference tree carries every lab's solution;
# `make handout LAB=N` writes a tree with LAB=N and SOL=N-1 here.
LAB ?= 8
SOL ?= 8
