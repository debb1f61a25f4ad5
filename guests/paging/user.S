/*
 * user.S - ring 3 for the paging workload's U/S tests (SDM 3A 6.12.1
 * "Exception- and Interrupt-Handler Procedures", 5.8 privilege levels).
 *
 * uint32_t user_run(void (*fn)(void), uintptr_t va, void *stack)
 *	enters fn at CPL 3 through IRET with EDX/RDX = va and the given
 *	stack; fn ends with INT $USER_VEC, whose DPL-3 gate is user_back,
 *	which returns EAX to user_run's caller on the kernel stack saved
 *	here.  The TSS gives the CPU the stack for the INT (trap.c).
 * user_read / user_write are such fns: they read EAX from, or write it
 * to, va; a #PF in them resumes at user_fixup.  In 64-bit mode the INT
 * leaves SS null, which CPL 0 may run with.  The user selectors are not
 * 0x1b/0x23, which a te guest may not use (inc/public/te.h).
 */
#define KERN_DS	 0x10
#define USER_CS	 0x33
#define USER_DS	 0x2b
#define USER_VEC 0x80
#define USER_VAL 0x5a5a5a5a

	.text
	.globl user_run, user_back, user_read, user_write, user_fixup
#ifdef __x86_64__
user_run:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_ksp(%rip)
	pushq $USER_DS
	pushq %rdx
	pushq $2
	pushq $USER_CS
	pushq %rdi
	movq %rsi, %rdx
	movl $USER_VAL, %eax
	iretq

user_back:
	movq user_ksp(%rip), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

user_read:
	movl (%rdx), %eax
	jmp user_fixup
user_write:
	movl %eax, (%rdx)
#else
user_run:
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %ebp
	movl %esp, user_ksp
	movl 20(%esp), %ebx	/* fn */
	movl 24(%esp), %edx	/* va */
	movl 28(%esp), %ecx	/* stack */
	movw $USER_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl $USER_DS
	pushl %ecx
	pushl $2
	pushl $USER_CS
	pushl %ebx
	movl $USER_VAL, %eax
	iret

user_back:
	movw $KERN_DS, %cx
	movw %cx, %ds
	movw %cx, %es
	movl user_ksp, %esp
	popl %ebp
	popl %edi
	popl %esi
	popl %ebx
	ret

user_read:
	movl (%edx), %eax
	jmp user_fixup
user_write:
	movl %eax, (%edx)
#endif
user_fixup:
	int $USER_VEC

	.bss
	.balign 8
user_ksp:
	.space 8
